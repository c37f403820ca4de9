import { clientToolClaudeName } from '../../claude/client-tools.js';
import type { ModelCatalog } from '../../claude/model-catalog.js';
import type {
  ClaudeContentBlock,
  ClaudeTurn,
  ClientToolDefinition,
  ClientToolPolicy,
  EffortLevel,
  RunPlan,
  SystemPromptPlacement,
} from '../../claude/run-plan.js';
import {
  type AttachmentLimits,
  imageFromBase64,
  imageFromUrl,
  pdfDocument,
  textDocument,
} from '../../core/attachments.js';
import { invalidRequest, modelNotFound } from './errors.js';
import type { AnthropicMessage, AnthropicTool, ContentBlock, MessagesRequest } from './schema.js';

export interface ToPlanContext {
  models: ModelCatalog;
  systemPromptPlacement: SystemPromptPlacement;
  attachments: AttachmentLimits;
}

/**
 * Claude Code, used as a client, starts its system prompt with this line; its value changes on every
 * request, so passing it on would break the prompt cache of every turn.
 */
const BILLING_HEADER = 'x-anthropic-billing-header:';

/** Turns a validated Messages request into a neutral run plan, or throws a 4xx naming the field. */
export function toRunPlan(request: MessagesRequest, context: ToPlanContext): RunPlan {
  const model = context.models.resolve(request.model);
  if (model === undefined) throw modelNotFound(request.model);

  checkToolPairing(request.messages);
  const turns = toTurns(request.messages, context.attachments);
  const last = turns.pop();
  if (last?.role !== 'user') {
    const lastIndex = request.messages.findLastIndex((message) => message.role !== 'system');
    throw invalidRequest(
      'The last message must be a user message: prefilling the assistant turn is not supported by the gateway.',
      `messages[${Math.max(lastIndex, 0)}]`,
    );
  }
  const history = turns;
  if (history[0]?.role === 'assistant') {
    history.unshift({ role: 'user', content: [{ type: 'text', text: '(the conversation starts here)' }] });
  }

  const clientTools = toClientTools(request.tools ?? []);
  const plan: RunPlan = {
    model,
    history,
    prompt: last.content,
    maxOutputTokens: request.max_tokens,
    thinking: 'disabled',
    clientTools,
  };

  const systemText = joinTexts([systemTextOf(request.system), ...systemMessageTexts(request.messages)]);
  if (context.systemPromptPlacement === 'first-user-turn') {
    plan.systemPrompt = { text: '', placement: 'append' };
    if (systemText !== undefined) {
      (history[0] ?? last).content.unshift({
        type: 'text',
        text: `<instructions>\n${systemText}\n</instructions>`,
      });
    }
  } else if (systemText !== undefined) {
    plan.systemPrompt = { text: systemText, placement: context.systemPromptPlacement };
  }

  const policy = toClientToolPolicy(request.tool_choice, clientTools);
  if (policy) plan.clientToolPolicy = policy;
  applyThinking(plan, request);
  const schema = request.output_config?.format?.schema ?? request.output_format?.schema;
  if (schema) plan.outputSchema = schema;
  if (request.stop_sequences?.length) plan.stopSequences = request.stop_sequences;
  return plan;
}

/** The system prompt as one text, without Claude Code's per-request billing line. */
export function systemTextOf(system: MessagesRequest['system']): string | undefined {
  if (system == null) return undefined;
  const texts = typeof system === 'string' ? [system] : system.map((block) => block.text);
  const kept = texts.map(withoutBillingHeader).filter((text) => text.trim() !== '');
  return kept.length > 0 ? kept.join('\n\n') : undefined;
}

/**
 * The text of `system` messages inside `messages` (Claude Code sends its environment block so). They
 * are instructions, not turns: they join the system prompt, in order.
 */
function systemMessageTexts(messages: readonly AnthropicMessage[]): string[] {
  return messages.flatMap((message, i) => {
    if (message.role !== 'system') return [];
    if (typeof message.content === 'string') return [message.content];
    return message.content.map((block, j) => {
      if (block.type !== 'text') {
        throw invalidRequest('A system message may only hold text blocks.', `messages[${i}].content[${j}]`);
      }
      return block.text;
    });
  });
}

function joinTexts(texts: ReadonlyArray<string | undefined>): string | undefined {
  const kept = texts.filter((text): text is string => text !== undefined && text.trim() !== '');
  return kept.length > 0 ? kept.join('\n\n') : undefined;
}

function withoutBillingHeader(text: string): string {
  if (!text.startsWith(BILLING_HEADER)) return text;
  const newline = text.indexOf('\n');
  return newline === -1 ? '' : text.slice(newline + 1);
}

function toTurns(messages: readonly AnthropicMessage[], limits: AttachmentLimits): ClaudeTurn[] {
  const turns: ClaudeTurn[] = [];
  messages.forEach((message, i) => {
    if (message.role === 'system') return;
    const content = toBlocks(message, `messages[${i}].content`, limits);
    if (content.length === 0) return;
    const previous = turns.at(-1);
    if (previous && previous.role === message.role) previous.content.push(...content);
    else turns.push({ role: message.role === 'assistant' ? 'assistant' : 'user', content });
  });
  // Tool results must come first in a user turn (the Messages API rejects them after text).
  for (const turn of turns) {
    if (turn.role === 'user') turn.content.sort((a, b) => rank(a) - rank(b));
  }
  return turns;
}

function rank(block: ClaudeContentBlock): number {
  return block.type === 'tool_result' ? 0 : 1;
}

function toBlocks(message: AnthropicMessage, param: string, limits: AttachmentLimits): ClaudeContentBlock[] {
  if (typeof message.content === 'string') {
    return message.content ? [{ type: 'text', text: message.content }] : [];
  }
  const blocks: ClaudeContentBlock[] = [];
  message.content.forEach((block, j) => {
    const converted = toBlock(block, message.role, `${param}[${j}]`, limits);
    if (converted) blocks.push(converted);
  });
  return blocks;
}

function toBlock(
  block: ContentBlock,
  role: AnthropicMessage['role'],
  param: string,
  limits: AttachmentLimits,
): ClaudeContentBlock | undefined {
  const onlyIn = (allowed: AnthropicMessage['role']) => {
    if (role !== allowed)
      throw invalidRequest(`A ${block.type} block must be in a ${allowed} message.`, param);
  };
  switch (block.type) {
    case 'text':
      // The Messages API rejects empty text blocks.
      return block.text ? { type: 'text', text: block.text } : undefined;
    case 'image':
      onlyIn('user');
      return toImage(block.source, `${param}.source`, limits);
    case 'document':
      onlyIn('user');
      return toDocument(block, `${param}.source`, limits);
    case 'tool_use':
      onlyIn('assistant');
      return { type: 'tool_use', id: block.id, name: clientToolClaudeName(block.name), input: block.input };
    case 'tool_result': {
      onlyIn('user');
      const content = toToolResultContent(block.content, `${param}.content`, limits);
      return {
        type: 'tool_result',
        tool_use_id: block.tool_use_id,
        content,
        ...(block.is_error ? { is_error: true } : {}),
      };
    }
    case 'thinking':
    case 'redacted_thinking':
      // Earlier thinking cannot be replayed into Claude Code's transcript; the answer text carries on.
      return undefined;
  }
}

function toImage(
  source: Extract<ContentBlock, { type: 'image' }>['source'],
  param: string,
  limits: AttachmentLimits,
): ClaudeContentBlock {
  switch (source.type) {
    case 'base64':
      return imageFromBase64(source.data, param, limits);
    case 'url':
      return imageFromUrl(source.url, param, limits);
    case 'file':
      throw invalidRequest(
        'File ids are not supported by the gateway; send the image as base64 or a URL.',
        param,
      );
  }
}

function toDocument(
  block: Extract<ContentBlock, { type: 'document' }>,
  param: string,
  limits: AttachmentLimits,
): ClaudeContentBlock {
  const title = block.title ?? undefined;
  const { source } = block;
  switch (source.type) {
    case 'base64':
      if (source.media_type !== 'application/pdf') {
        throw invalidRequest(
          'Base64 documents must be PDFs (media_type application/pdf).',
          `${param}.media_type`,
        );
      }
      return pdfDocument(source.data, param, limits, title);
    case 'text':
      return textDocument(source.data, param, limits, title);
    case 'content': {
      const text =
        typeof source.content === 'string'
          ? source.content
          : source.content.map((part) => part.text ?? '').join('\n');
      return textDocument(text, param, limits, title);
    }
    case 'url':
    case 'file':
      throw invalidRequest(
        `Document ${source.type} sources are not supported by the gateway; send the PDF as base64 or the text as a text source.`,
        param,
      );
  }
}

function toToolResultContent(
  content: Extract<ContentBlock, { type: 'tool_result' }>['content'],
  param: string,
  limits: AttachmentLimits,
): Extract<ClaudeContentBlock, { type: 'tool_result' }>['content'] {
  if (content === undefined) return [];
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  const parts: Extract<ClaudeContentBlock, { type: 'tool_result' }>['content'] = [];
  content.forEach((part, k) => {
    if (part.type === 'text') {
      if (part.text) parts.push({ type: 'text', text: part.text });
      return;
    }
    const image = toImage(part.source, `${param}[${k}].source`, limits);
    if (image.type === 'image') parts.push(image);
  });
  return parts;
}

/**
 * The Messages API's rule for tool history: the results in a user message answer the tool calls of
 * the assistant message right before it, and every call is answered there. Checked here so a broken
 * history is a 400 naming the message rather than a failure inside Claude Code.
 */
function checkToolPairing(messages: readonly AnthropicMessage[]): void {
  let open: { index: number; ids: Set<string> } | undefined;
  messages.forEach((message, i) => {
    if (message.role === 'system') return;
    const blocks = typeof message.content === 'string' ? [] : message.content;
    if (message.role === 'user') {
      blocks.forEach((block, j) => {
        if (block.type !== 'tool_result') return;
        if (!open?.ids.delete(block.tool_use_id)) {
          throw invalidRequest(
            `tool_result block(s) provided when previous message does not have a matching tool_use block ('${block.tool_use_id}').`,
            `messages[${i}].content[${j}].tool_use_id`,
          );
        }
      });
      if (open && open.ids.size > 0) {
        throw invalidRequest(
          `tool_use ids were found without tool_result blocks immediately after: ${[...open.ids].join(', ')}.`,
          `messages[${i}].content`,
        );
      }
      open = undefined;
      return;
    }
    const ids = blocks.flatMap((block) => (block.type === 'tool_use' ? [block.id] : []));
    open = ids.length > 0 ? { index: i, ids: new Set(ids) } : undefined;
  });
}

/** The request's `tools` as client tool definitions; a tool Claude Code cannot offer is a 400 naming it. */
export function toClientTools(tools: readonly AnthropicTool[]): ClientToolDefinition[] {
  const seen = new Set<string>();
  return tools.map((tool, i) => {
    if (tool.type != null && tool.type !== 'custom') {
      throw invalidRequest(
        `Tool type '${tool.type}' (an Anthropic-defined or server tool) is not available through the gateway; define client tools with an input_schema.`,
        `tools[${i}].type`,
      );
    }
    if (seen.has(tool.name))
      throw invalidRequest(`Tool names must be unique; '${tool.name}' appears twice.`, `tools[${i}].name`);
    seen.add(tool.name);
    const schema = tool.input_schema;
    if (schema?.type !== 'object') {
      throw invalidRequest(
        `tools.${i}.input_schema.type: Field required to be 'object'.`,
        `tools[${i}].input_schema`,
      );
    }
    // `$schema` is dropped: Claude reads tool schemas as JSON Schema anyway.
    const { $schema: _declared, ...inputSchema } = schema;
    return { name: tool.name, description: tool.description ?? '', inputSchema };
  });
}

export function toClientToolPolicy(
  choice: MessagesRequest['tool_choice'],
  tools: readonly ClientToolDefinition[],
): ClientToolPolicy | undefined {
  if (choice == null) return tools.length > 0 ? { choice: 'auto', parallel: true } : undefined;
  if (choice.type === 'none') return { choice: 'none', parallel: true };
  const parallel = choice.disable_parallel_tool_use !== true;
  if (choice.type === 'auto') return { choice: 'auto', parallel };
  if (tools.length === 0)
    throw invalidRequest(`tool_choice '${choice.type}' needs at least one tool in tools.`, 'tool_choice');
  if (choice.type === 'any') return { choice: 'required', parallel };
  if (!tools.some((tool) => tool.name === choice.name)) {
    throw invalidRequest(
      `tool_choice names '${choice.name}', which is not one of the request's tools.`,
      'tool_choice.name',
    );
  }
  return { choice: { name: choice.name }, parallel };
}

const EFFORTS: readonly EffortLevel[] = ['low', 'medium', 'high', 'xhigh', 'max'];

/**
 * `thinking` turns thinking on or off; Claude Code takes an effort rather than a token budget, so a
 * budget picks the effort whose thinking is about that long. `output_config.effort` names it directly.
 */
function applyThinking(plan: RunPlan, request: MessagesRequest): void {
  const thinking = request.thinking;
  if (thinking?.type === 'enabled') {
    plan.thinking = 'default';
    plan.effort = thinking.budget_tokens < 4096 ? 'low' : thinking.budget_tokens < 16384 ? 'medium' : 'high';
  } else if (thinking?.type === 'adaptive') {
    plan.thinking = 'default';
  }
  const effort = request.output_config?.effort;
  if (effort != null) {
    if (!EFFORTS.includes(effort as EffortLevel)) {
      throw invalidRequest(`Unknown effort '${effort}'; use ${EFFORTS.join(', ')}.`, 'output_config.effort');
    }
    plan.effort = effort as EffortLevel;
  }
}
