import { clientToolClaudeName } from '../../contract/client-tools.js';
import type { ClaudeContentBlock, ClaudeTurn } from '../../contract/run-plan.js';
import {
  type AttachmentLimits,
  imageFromBase64,
  imageFromUrl,
  pdfDocument,
  textDocument,
} from '../../core/content/attachment-blocks.js';
import { invalidRequest } from './errors.js';
import type { AnthropicMessage, ContentBlock } from './schema.js';

/**
 * `messages` as Claude turns: consecutive messages of one role merged, `system` messages left out
 * (they join the system prompt), earlier thinking dropped, client tool names in Claude's terms.
 */
export function toTurns(messages: readonly AnthropicMessage[], limits: AttachmentLimits): ClaudeTurn[] {
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
export function checkToolPairing(messages: readonly AnthropicMessage[]): void {
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
