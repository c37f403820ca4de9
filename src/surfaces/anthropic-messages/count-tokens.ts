import {
  IMAGE_TOKENS,
  PDF_PAGE_TOKENS,
  TEXT_SCALE,
  TOOLS_PREAMBLE_TOKENS,
} from '../../core/tokens/estimate-plan-tokens.js';
import type { TokenCounter } from '../../core/tokens/token-counter.js';
import type { ContentBlock, CountTokensRequest } from './schema.js';

/**
 * An estimate of a request's input tokens for `/v1/messages/count_tokens`. Claude Code compacts its
 * conversation when this says the context is nearly full, so every approximation here errs high:
 * counted text is scaled by TEXT_SCALE, and images and PDF pages are charged Anthropic's upper bounds
 * (the same constants as the run-plan estimate, src/core/tokens/estimate-plan-tokens.ts).
 */

/** Role markers around each message and the framing of the whole prompt. */
const PER_MESSAGE_TOKENS = 4;
const PER_REQUEST_TOKENS = 8;

export function estimateInputTokens(request: CountTokensRequest, count: TokenCounter): number {
  let text = 0;
  let fixed = PER_REQUEST_TOKENS;
  const addText = (value: string) => {
    if (value) text += count(value);
  };
  if (typeof request.system === 'string') addText(request.system);
  else for (const block of request.system ?? []) addText(block.text);
  for (const message of request.messages) {
    fixed += PER_MESSAGE_TOKENS;
    if (typeof message.content === 'string') {
      addText(message.content);
      continue;
    }
    for (const block of message.content) fixed += blockTokens(block, addText);
  }
  const tools = request.tools ?? [];
  if (tools.length > 0) fixed += TOOLS_PREAMBLE_TOKENS;
  for (const tool of tools) {
    addText(tool.name);
    addText(tool.description ?? '');
    addText(JSON.stringify(tool.input_schema ?? {}));
  }
  return Math.ceil(text * TEXT_SCALE) + fixed;
}

/** Adds a block's text through `addText`; returns the tokens it costs beyond its text. */
function blockTokens(block: ContentBlock, addText: (text: string) => void): number {
  switch (block.type) {
    case 'text':
      addText(block.text);
      return 0;
    case 'image':
      return IMAGE_TOKENS;
    case 'document':
      return documentTokens(block, addText);
    case 'tool_use':
      addText(block.name);
      addText(JSON.stringify(block.input));
      return 0;
    case 'tool_result': {
      if (typeof block.content === 'string') {
        addText(block.content);
        return 0;
      }
      let extra = 0;
      for (const part of block.content ?? []) extra += blockTokens(part, addText);
      return extra;
    }
    case 'thinking':
      // Earlier turns' thinking is dropped by the API, but counting it can only err high.
      addText(block.thinking);
      return 0;
    case 'redacted_thinking':
      return 0;
  }
}

function documentTokens(
  block: Extract<ContentBlock, { type: 'document' }>,
  addText: (text: string) => void,
): number {
  const { source } = block;
  switch (source.type) {
    case 'text':
      addText(source.data);
      return 0;
    case 'content':
      if (typeof source.content === 'string') addText(source.content);
      else for (const part of source.content) addText(part.text ?? '');
      return 0;
    case 'base64':
      return pdfPageCount(source.data) * PDF_PAGE_TOKENS;
    case 'url':
    case 'file':
      // Unknown size: one page's worth, since the gateway refuses these sources on /v1/messages anyway.
      return PDF_PAGE_TOKENS;
  }
}

/** Page objects in a PDF (`/Type /Page`, not `/Pages`); at least one. */
function pdfPageCount(base64: string): number {
  const bytes = Buffer.from(base64, 'base64').toString('latin1');
  return Math.max(1, bytes.match(/\/Type\s*\/Page(?![a-zA-Z])/g)?.length ?? 0);
}
