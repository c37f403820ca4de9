import { clientToolClaudeName } from '../../../contract/client-tools.js';
import { invalidRequest, unsupportedParameter } from '../../../contract/errors.js';
import { GatewayError } from '../../../contract/gateway-error.js';
import type {
  AgentSettings,
  ClaudeContentBlock,
  ClaudeTurn,
  RunPlan,
  SystemPromptPlacement,
} from '../../../contract/run-plan.js';
import {
  type AttachmentLimits,
  imageBlock,
  pdfDocument,
  textDocument,
} from '../../../core/content/attachment-blocks.js';
import { parseDataUrl } from '../../../core/content/data-url.js';
import type { ModelCatalog } from '../../../core/model-catalog.js';
import { placeSystemPrompt, startWithUserTurn, takePrompt } from '../../../core/plan-conversation.js';
import { applyEffort, applyOutputLimits, effortOf, servedModel } from '../plan-parts.js';
import { checkToolCallPairing, toClientToolPolicy, toClientTools } from './map-client-tools.js';
import { toOutputSchema } from './output-schema.js';
import type { ChatCompletionRequest, ChatMessage, ContentPart } from './schema.js';

export interface ToClaudeContext {
  models: ModelCatalog;
  systemPromptPlacement: SystemPromptPlacement;
  maxImageBytes: number;
  /** Whether http(s) image URLs are accepted (they are fetched by the gateway before the run). */
  remoteImages: boolean;
  /** Decides agent mode for a request; absent means the server does not offer it. */
  resolveAgent?: (request: ChatCompletionRequest) => AgentSettings | undefined;
}

/** Turns a validated OpenAI request into a Claude Code run plan, or throws a 4xx GatewayError. */
export function toRunPlan(request: ChatCompletionRequest, context: ToClaudeContext): RunPlan {
  rejectUnsupported(request);
  const model = servedModel((name) => context.models.resolve(name), request.model);

  const systemText = collectSystemText(request.messages);
  checkToolCallPairing(request.messages);
  const turns = toTurns(request.messages, context);
  const last = takePrompt(turns, systemText);
  if (last?.role !== 'user') {
    throw invalidRequest('The last message must be a user or tool message.', 'messages');
  }
  const history = turns;
  startWithUserTurn(history);

  const clientTools = toClientTools(request);
  const plan: RunPlan = {
    model,
    history,
    prompt: last.content,
    thinking: 'disabled',
    clientTools,
  };
  if (clientTools.length > 0) plan.clientToolPolicy = toClientToolPolicy(request, clientTools);
  // Without tools, 'required' or a named function cannot be honoured: the check answers 400.
  else if (request.tool_choice != null) toClientToolPolicy(request, clientTools);
  placeSystemPrompt(plan, systemText, context.systemPromptPlacement);
  applyOutputLimits(plan, {
    maxTokens: request.max_completion_tokens ?? request.max_tokens,
    stop: request.stop,
  });
  const effort = effortOf(
    request.reasoning_effort ?? request.reasoning?.effort,
    request.reasoning_effort != null ? 'reasoning_effort' : 'reasoning.effort',
  );
  if (effort !== undefined) applyEffort(plan, effort);
  const outputSchema = toOutputSchema(request);
  if (outputSchema) plan.outputSchema = outputSchema;
  const agent = request.claude_code ? context.resolveAgent?.(request) : undefined;
  if (request.claude_code && !agent) {
    throw new GatewayError({
      status: 400,
      kind: 'invalid_request',
      param: 'claude_code',
      code: 'agent_mode_disabled',
      message: 'Agent mode (claude_code) is not enabled on this gateway.',
    });
  }
  if (agent) plan.agent = agent;
  return plan;
}

function rejectUnsupported(request: ChatCompletionRequest): void {
  if (request.n != null && request.n > 1) {
    throw unsupportedParameter('n', 'Claude Code produces one choice per request; n must be 1.');
  }
  if (request.logprobs) throw unsupportedParameter('logprobs', 'Claude does not return log probabilities.');
  if (request.top_logprobs) {
    throw unsupportedParameter('top_logprobs', 'Claude does not return log probabilities.');
  }
  // `stop` is honoured by the gateway itself (core/stop-sequences.ts).
}

function collectSystemText(messages: readonly ChatMessage[]): string | undefined {
  const parts: string[] = [];
  for (const message of messages) {
    if (message.role !== 'system' && message.role !== 'developer') continue;
    const text = typeof message.content === 'string' ? message.content : textOfParts(message.content);
    if (text.trim()) parts.push(text);
  }
  return parts.length > 0 ? parts.join('\n\n') : undefined;
}

function textOfParts(parts: readonly ContentPart[]): string {
  return parts.map((part) => (part.type === 'text' ? part.text : '')).join('');
}

function toTurns(messages: readonly ChatMessage[], context: ToClaudeContext): ClaudeTurn[] {
  const turns: ClaudeTurn[] = [];
  let lastFunctionCallId: string | undefined;
  messages.forEach((message, i) => {
    const param = `messages[${i}]`;
    let turn: ClaudeTurn | undefined;
    switch (message.role) {
      case 'system':
      case 'developer':
        return;
      case 'user':
        turn = { role: 'user', content: toUserBlocks(message.content, `${param}.content`, context) };
        break;
      case 'assistant': {
        const { content } = toAssistantTurn(message);
        if (message.function_call) {
          lastFunctionCallId = `call_function_${i}`;
          content.push({
            type: 'tool_use',
            id: lastFunctionCallId,
            name: clientToolClaudeName(message.function_call.name),
            input: parseArguments(message.function_call.arguments),
          });
        }
        turn = { role: 'assistant', content };
        break;
      }
      case 'tool': {
        const text = typeof message.content === 'string' ? message.content : textOfParts(message.content);
        // The Messages API rejects empty text blocks; an empty result is a result without content.
        const content = text ? [{ type: 'text' as const, text }] : [];
        turn = {
          role: 'user',
          content: [{ type: 'tool_result', tool_use_id: message.tool_call_id, content }],
        };
        break;
      }
      case 'function': {
        if (!lastFunctionCallId) {
          throw invalidRequest('A function message must follow an assistant function_call.', param);
        }
        turn = {
          role: 'user',
          content: [
            {
              type: 'tool_result',
              tool_use_id: lastFunctionCallId,
              content: [{ type: 'text', text: message.content ?? '' }],
            },
          ],
        };
        break;
      }
    }
    if (turn.content.length === 0) return;
    const previous = turns.at(-1);
    if (previous && previous.role === turn.role) previous.content.push(...turn.content);
    else turns.push(turn);
  });
  // Tool results must come first in a user turn (the Messages API rejects them after text).
  for (const turn of turns) {
    if (turn.role === 'user') turn.content.sort((a, b) => rank(a) - rank(b));
  }
  return turns;
}

/**
 * An assistant message as the turn it becomes. Exported because a reply the gateway produced must
 * fingerprint exactly like the same message when a client sends it back (sessions/).
 */
export function toAssistantTurn(message: {
  content?: string | ContentPart[] | null | undefined;
  tool_calls?:
    | ReadonlyArray<{ id: string; function: { name: string; arguments: string } }>
    | null
    | undefined;
}): ClaudeTurn {
  const content: ClaudeContentBlock[] = [];
  const text =
    message.content == null
      ? ''
      : typeof message.content === 'string'
        ? message.content
        : textOfParts(message.content);
  if (text) content.push({ type: 'text', text });
  for (const call of message.tool_calls ?? []) {
    content.push({
      type: 'tool_use',
      id: call.id,
      name: clientToolClaudeName(call.function.name),
      input: parseArguments(call.function.arguments),
    });
  }
  return { role: 'assistant', content };
}

function rank(block: ClaudeContentBlock): number {
  return block.type === 'tool_result' ? 0 : 1;
}

function parseArguments(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text || '{}');
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : { value };
  } catch {
    return { arguments: text };
  }
}

function toUserBlocks(
  content: string | ContentPart[],
  param: string,
  context: ToClaudeContext,
): ClaudeContentBlock[] {
  if (typeof content === 'string') return content ? [{ type: 'text', text: content }] : [];
  const blocks: ClaudeContentBlock[] = [];
  content.forEach((part, j) => {
    const partParam = `${param}[${j}]`;
    switch (part.type) {
      case 'text':
        if (part.text) blocks.push({ type: 'text', text: part.text });
        return;
      case 'image_url': {
        const url = typeof part.image_url === 'string' ? part.image_url : part.image_url.url;
        blocks.push(toImageBlock(url, `${partParam}.image_url`, context));
        return;
      }
      case 'file': {
        blocks.push(toDocumentBlock(part.file, `${partParam}.file`, context));
        return;
      }
      case 'input_audio':
        throw unsupportedParameter(`${partParam}`, 'Audio input is not supported by Claude.');
      case 'refusal':
        return;
    }
  });
  return blocks;
}

function toImageBlock(url: string, param: string, context: ToClaudeContext): ClaudeContentBlock {
  // Remote images are fetched by the gateway after planning (images/resolve-remote-images.ts).
  return imageBlock(url, param, attachmentLimits(context));
}

function toDocumentBlock(
  file: {
    file_data?: string | null | undefined;
    file_id?: string | null | undefined;
    filename?: string | null | undefined;
  },
  param: string,
  context: ToClaudeContext,
): ClaudeContentBlock {
  const parsed = file.file_data ? parseDataUrl(file.file_data) : undefined;
  if (!parsed || (parsed.mediaType !== 'application/pdf' && parsed.mediaType !== 'text/plain')) {
    throw invalidRequest(
      'Files must be sent as file_data data URLs of a PDF or plain text.',
      param,
      'invalid_file',
    );
  }
  const limits = attachmentLimits(context);
  const title = file.filename ?? undefined;
  if (parsed.mediaType === 'application/pdf') return pdfDocument(parsed.base64, param, limits, title);
  return textDocument(Buffer.from(parsed.base64, 'base64').toString('utf8'), param, limits, title);
}

function attachmentLimits(context: ToClaudeContext): AttachmentLimits {
  return { maxBytes: context.maxImageBytes, remoteImages: context.remoteImages };
}
