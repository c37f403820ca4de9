/**
 * Reply scripting for the mock Messages API: what a test can ask the mock to answer, plus helpers to
 * read the request the Claude Code CLI sent.
 */

/** Any content block the CLI sends; typed loosely because the mock only inspects a few kinds. */
export interface ContentBlock {
  type: string;
  [key: string]: unknown;
}

export interface RequestMessage {
  role: 'user' | 'assistant';
  content: string | ContentBlock[];
}

/** What the CLI POSTs to /v1/messages, typed only as far as tests need to read it. */
export interface MessagesRequestBody {
  model: string;
  messages: RequestMessage[];
  system?: string | Array<{ type: 'text'; text: string; [key: string]: unknown }>;
  tools?: Array<{ name: string; description?: string; input_schema: unknown; [key: string]: unknown }>;
  tool_choice?: unknown;
  stream?: boolean;
  max_tokens?: number;
  thinking?: unknown;
  [key: string]: unknown;
}

export interface RecordedRequest {
  /** Request target as sent, query string included (the CLI uses `/v1/messages?beta=true`). */
  path: string;
  /** Lower-cased header names; repeated headers are joined with `, `. */
  headers: Record<string, string>;
  body: MessagesRequestBody;
  /** `Date.now()` when the body had been fully read. */
  receivedAt: number;
  /** The credential the request carried (`x-api-key`, else an `Authorization: Bearer` token). */
  credential?: string;
  /** How it was carried: an API key, or a bearer token (what OAuth tokens use). */
  authScheme?: 'x-api-key' | 'bearer';
}

/** A request to any other route than POST /v1/messages (count_tokens, OAuth profile, unknown paths). */
export interface OtherRequest {
  method: string;
  path: string;
  credential?: string;
  authScheme?: 'x-api-key' | 'bearer';
}

export type MockBlock =
  | { type: 'text'; text: string }
  | { type: 'thinking'; thinking: string }
  | { type: 'tool_use'; id?: string; name: string; input: Record<string, unknown> };

export interface MockUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use';

export interface MessageReply {
  kind: 'message';
  blocks: MockBlock[];
  /** Defaults to `tool_use` when any block is a tool call, else `end_turn`. */
  stopReason?: StopReason;
  usage?: Partial<MockUsage>;
  /** Reported as `usage.output_tokens_details.thinking_tokens` (where Claude Code reads reasoning tokens). */
  thinkingTokens?: number;
  /** Pause before every streamed delta, so tests can observe token-by-token delivery. */
  chunkDelayMs?: number;
  /** Pause before the status line is sent (streamed or not). */
  firstByteDelayMs?: number;
}

export interface ErrorReply {
  kind: 'error';
  status: number;
  /** Defaults to the Anthropic error type conventionally used for `status`. */
  errorType?: string;
  message?: string;
  /** Sent as `retry-after`; defaults to 1 for 429 and 529, omitted otherwise. */
  retryAfterSeconds?: number;
}

export interface MidStreamFailureReply {
  kind: 'midStreamFailure';
  /** Streamed as text deltas before the failure. */
  textBefore: string;
  /**
   * `error-event` (default) ends the stream with an SSE `error` event (overloaded_error);
   * `socket-destroy` cuts the TCP connection. A non-streaming request gets a 529 or a cut connection.
   */
  mode?: 'error-event' | 'socket-destroy';
}

/** Accepts the request and never answers; the request ends when the client goes away or the mock closes. */
export interface HangReply {
  kind: 'hang';
}

export type MockReply = MessageReply | ErrorReply | MidStreamFailureReply | HangReply;

export type MockHandler = (req: RecordedRequest) => MockReply | Promise<MockReply>;

export type MessageExtras = Omit<MessageReply, 'kind' | 'blocks'>;

/** A reply with one text block; the server streams it in word-sized deltas. */
export function text(content: string, extra?: MessageExtras): MockReply {
  return { kind: 'message', blocks: [{ type: 'text', text: content }], ...extra };
}

/** A reply that calls one tool; stop_reason becomes `tool_use`. */
export function toolUse(name: string, input: Record<string, unknown>, extra?: MessageExtras): MockReply {
  return { kind: 'message', blocks: [{ type: 'tool_use', name, input }], ...extra };
}

const SYSTEM_REMINDER_PREFIX = '<system-reminder>';

// The CLI injects context as extra user text blocks wrapped in <system-reminder>; tests care about
// what the end user typed, so those blocks are skipped.
function isUserAuthoredText(value: string): boolean {
  return !value.trimStart().startsWith(SYSTEM_REMINDER_PREFIX);
}

function textsOf(content: string | ContentBlock[]): string[] {
  if (typeof content === 'string') {
    return isUserAuthoredText(content) ? [content] : [];
  }
  const texts: string[] = [];
  for (const block of content) {
    if (block.type === 'text' && typeof block.text === 'string' && isUserAuthoredText(block.text)) {
      texts.push(block.text);
    }
  }
  return texts;
}

/**
 * Text of the last user message's last user-authored text block, or '' when that message has none
 * (for instance when it carries only tool results).
 */
export function lastUserText(req: RecordedRequest): string {
  const lastUser = req.body.messages.findLast((message) => message.role === 'user');
  if (lastUser === undefined) {
    return '';
  }
  return textsOf(lastUser.content).at(-1) ?? '';
}

/** Every user-authored text of every user message, in conversation order. */
export function userTexts(req: RecordedRequest): string[] {
  return req.body.messages.filter((message) => message.role === 'user').flatMap((m) => textsOf(m.content));
}

/** What Anthropic answers when it classifies subscription traffic as a third-party app. */
export const THIRD_PARTY_REJECTION_MESSAGE =
  'Third-party apps now draw from your extra usage, not your plan limits. Add more at claude.ai/settings/usage and keep going.';

/** The Messages API refusing a request as third-party app traffic (a 400 invalid_request_error). */
export function thirdPartyRejection(): ErrorReply {
  return {
    kind: 'error',
    status: 400,
    errorType: 'invalid_request_error',
    message: THIRD_PARTY_REJECTION_MESSAGE,
  };
}

export const echoHandler: MockHandler = (req) => text(`echo: ${lastUserText(req)}`);
