/**
 * Pure rendering of scripted replies into the Anthropic Messages wire format: the SSE event sequence
 * for streamed requests and the JSON Message for non-streamed ones, built from the same blocks so
 * both carry identical content.
 */
import { createHash } from 'node:crypto';
import type { MessageReply, MockBlock, MockUsage, StopReason } from './replies.js';

export type ApiContentBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string; signature: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

export interface ApiMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: ApiContentBlock[];
  stop_reason: StopReason | null;
  stop_sequence: null;
  usage: MockUsage;
}

export interface SseEvent {
  event: string;
  data: { type: string; [key: string]: unknown };
}

/** A content block as it is streamed: the start payload and the deltas that complete it. */
interface StreamedBlock {
  final: ApiContentBlock;
  start: Record<string, unknown>;
  deltas: Array<Record<string, unknown>>;
}

export interface RenderContext {
  messageId: string;
  model: string;
  /** Called once per tool_use block without an explicit id. */
  nextToolUseId: () => string;
}

export interface RenderedMessage {
  message: ApiMessage;
  events: SseEvent[];
}

const DEFAULT_INPUT_TOKENS = 10;

/** Word-sized pieces that concatenate back to `value`, so clients see several deltas per block. */
export function splitIntoChunks(value: string): string[] {
  if (value === '') {
    return [];
  }
  return value.match(/\s*\S+\s*/g) ?? [value];
}

// Real tool-call streams arrive as a few arbitrary JSON fragments; splitting into thirds exercises
// the client's partial-JSON accumulation without making tests depend on exact boundaries.
function splitJson(json: string): string[] {
  const size = Math.max(1, Math.ceil(json.length / 3));
  const fragments: string[] = [];
  for (let start = 0; start < json.length; start += size) {
    fragments.push(json.slice(start, start + size));
  }
  return fragments;
}

// Deterministic, so a streamed and a non-streamed answer for the same thinking text agree.
function signatureFor(thinking: string): string {
  return `sig-mock-${createHash('sha256').update(thinking).digest('hex').slice(0, 24)}`;
}

function streamBlock(block: MockBlock, context: RenderContext): StreamedBlock {
  switch (block.type) {
    case 'text':
      return {
        final: { type: 'text', text: block.text },
        start: { type: 'text', text: '' },
        deltas: splitIntoChunks(block.text).map((chunk) => ({ type: 'text_delta', text: chunk })),
      };
    case 'thinking': {
      const signature = signatureFor(block.thinking);
      return {
        final: { type: 'thinking', thinking: block.thinking, signature },
        start: { type: 'thinking', thinking: '', signature: '' },
        deltas: [
          ...splitIntoChunks(block.thinking).map((chunk) => ({ type: 'thinking_delta', thinking: chunk })),
          { type: 'signature_delta', signature },
        ],
      };
    }
    case 'tool_use': {
      const id = block.id ?? context.nextToolUseId();
      return {
        final: { type: 'tool_use', id, name: block.name, input: block.input },
        start: { type: 'tool_use', id, name: block.name, input: {} },
        deltas: splitJson(JSON.stringify(block.input)).map((fragment) => ({
          type: 'input_json_delta',
          partial_json: fragment,
        })),
      };
    }
  }
}

// Signature deltas are metadata rather than generated tokens, so they do not count as output.
function countOutputChunks(blocks: StreamedBlock[]): number {
  return blocks.reduce(
    (total, block) => total + block.deltas.filter((delta) => delta.type !== 'signature_delta').length,
    0,
  );
}

function defaultStopReason(blocks: MockBlock[]): StopReason {
  return blocks.some((block) => block.type === 'tool_use') ? 'tool_use' : 'end_turn';
}

function resolveUsage(reply: MessageReply, outputChunks: number): MockUsage {
  return {
    input_tokens: reply.usage?.input_tokens ?? DEFAULT_INPUT_TOKENS,
    output_tokens: reply.usage?.output_tokens ?? outputChunks,
    cache_read_input_tokens: reply.usage?.cache_read_input_tokens ?? 0,
    cache_creation_input_tokens: reply.usage?.cache_creation_input_tokens ?? 0,
  };
}

function thinkingDetails(reply: MessageReply): { output_tokens_details?: { thinking_tokens: number } } {
  return reply.thinkingTokens === undefined
    ? {}
    : { output_tokens_details: { thinking_tokens: reply.thinkingTokens } };
}

function sse(data: SseEvent['data']): SseEvent {
  return { event: data.type, data };
}

/**
 * The opening of every stream. Like the real API, message_start reports only the first output
 * token; the final count arrives in message_delta.
 */
export function streamPrologue(context: RenderContext, usage: MockUsage): SseEvent[] {
  const startUsage = { ...usage, output_tokens: Math.min(1, usage.output_tokens) };
  return [
    sse({
      type: 'message_start',
      message: {
        id: context.messageId,
        type: 'message',
        role: 'assistant',
        model: context.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: startUsage,
      },
    }),
    sse({ type: 'ping' }),
  ];
}

function blockEvents(block: StreamedBlock, index: number): SseEvent[] {
  return [
    sse({ type: 'content_block_start', index, content_block: block.start }),
    ...block.deltas.map((delta) => sse({ type: 'content_block_delta', index, delta })),
    sse({ type: 'content_block_stop', index }),
  ];
}

export function renderMessage(reply: MessageReply, context: RenderContext): RenderedMessage {
  const streamed = reply.blocks.map((block) => streamBlock(block, context));
  const usage = resolveUsage(reply, countOutputChunks(streamed));
  const stopReason = reply.stopReason ?? defaultStopReason(reply.blocks);
  const message: ApiMessage = {
    id: context.messageId,
    type: 'message',
    role: 'assistant',
    model: context.model,
    content: streamed.map((block) => block.final),
    stop_reason: stopReason,
    stop_sequence: null,
    usage: { ...usage, ...thinkingDetails(reply) },
  };
  const events = [
    ...streamPrologue(context, usage),
    ...streamed.flatMap((block, index) => blockEvents(block, index)),
    sse({
      type: 'message_delta',
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: usage.output_tokens, ...thinkingDetails(reply) },
    }),
    sse({ type: 'message_stop' }),
  ];
  return { message, events };
}

/** The part of a mid-stream failure that is delivered before the stream breaks. */
export function renderPartialText(textBefore: string, context: RenderContext): SseEvent[] {
  const chunks = splitIntoChunks(textBefore);
  const usage = resolveUsage({ kind: 'message', blocks: [] }, chunks.length);
  return [
    ...streamPrologue(context, usage),
    sse({ type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }),
    ...chunks.map((chunk) =>
      sse({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: chunk } }),
    ),
  ];
}

const ERROR_TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

export function errorTypeFor(status: number): string {
  return ERROR_TYPE_BY_STATUS[status] ?? 'api_error';
}

export function errorBody(errorType: string, message: string, requestId: string) {
  return { type: 'error', error: { type: errorType, message }, request_id: requestId };
}

export function serializeSse(event: SseEvent): string {
  return `event: ${event.event}\ndata: ${JSON.stringify(event.data)}\n\n`;
}
