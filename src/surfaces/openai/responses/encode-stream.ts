/**
 * Neutral run events as the Responses API's stream, in the order OpenAI sends it:
 * `response.created`, `response.in_progress`, then per output item `output_item.added`, its parts
 * and deltas, `output_item.done`, and last `response.completed` / `response.incomplete` (or an
 * `error` event and `response.failed`). Pure: an explicit state object in, wire events out; the
 * non-streaming reply is the fold of the very same events (fold.ts).
 */
import type { GatewayError } from '../../../contract/gateway-error.js';
import type { FinishReason, RunEvent, RunUsage } from '../../../contract/run-events.js';
import { openAIErrorBody } from '../openai-error.js';
import { encodeSummary } from './compaction.js';
import {
  type CompactionOutput,
  type FunctionCallOutput,
  type MessageOutput,
  type OutputItem,
  type ReasoningOutput,
  type ResponseObject,
  type ResponseSettings,
  type ResponseStreamEvent,
  toResponseUsage,
} from './response-object.js';

export interface EncoderOptions {
  id: string;
  /** Unix seconds. */
  createdAt: number;
  settings: ResponseSettings;
  /** The client asked for reasoning: a reasoning item precedes the answer (Codex waits for one). */
  reasoningRequested: boolean;
  /** `include: ["reasoning.encrypted_content"]`: reasoning items carry the thinking's signature. */
  includeEncryptedReasoning: boolean;
  /** The run writes a conversation's summary: the answer is one `compaction` item, not a message. */
  compaction?: boolean;
  /** A background response: created `queued`, `in_progress` once its run produces its first event. */
  queued?: boolean;
  newItemId(prefix: 'msg' | 'fc' | 'rs' | 'cmp'): string;
  /** Unix seconds, for `completed_at`. */
  now(): number;
}

/** Distributes the `ResponseStreamEvent` union over `Omit`, so each event keeps its own fields. */
type Unsequenced<T> = T extends unknown ? Omit<T, 'sequence_number'> : never;
type EventBody = Unsequenced<ResponseStreamEvent>;

export interface EncoderState {
  readonly options: EncoderOptions;
  response: ResponseObject;
  sequence: number;
  /** The output index of the message or reasoning item still receiving deltas. */
  openIndex: number | undefined;
  /** Output index of each client tool call, by the run's call index. */
  toolCalls: Map<number, number>;
  reasoningSeen: boolean;
  /** A compaction run's summary so far. */
  summary: string;
  ended: boolean;
  /** The run's error, when one ended it. */
  failure: GatewayError | undefined;
}

export function createEncoderState(options: EncoderOptions): EncoderState {
  return {
    options,
    response: {
      id: options.id,
      object: 'response',
      created_at: options.createdAt,
      status: options.queued ? 'queued' : 'in_progress',
      completed_at: null,
      error: null,
      incomplete_details: null,
      output: [],
      usage: null,
      ...options.settings,
    },
    sequence: 0,
    openIndex: undefined,
    toolCalls: new Map(),
    reasoningSeen: false,
    summary: '',
    ended: false,
    failure: undefined,
  };
}

/**
 * The first events, sent as soon as the run has begun: `response.created` and
 * `response.in_progress`, or for a queued (background) response `response.created` alone.
 */
export function startResponse(state: EncoderState): ResponseStreamEvent[] {
  const out: EventBody[] = [{ type: 'response.created', response: snapshot(state.response) }];
  if (state.response.status === 'in_progress') {
    out.push({ type: 'response.in_progress', response: snapshot(state.response) });
  }
  return sequenced(state, out);
}

export function encodeEvent(state: EncoderState, event: RunEvent): ResponseStreamEvent[] {
  if (state.ended) return [];
  const out: EventBody[] = [];
  if (state.response.status === 'queued') {
    state.response.status = 'in_progress';
    out.push({ type: 'response.in_progress', response: snapshot(state.response) });
  }
  if (state.options.compaction) {
    encodeCompaction(state, out, event);
    return sequenced(state, out);
  }

  switch (event.type) {
    case 'message_start':
    case 'agent_tool_use':
    case 'agent_tool_result':
      break;
    case 'reasoning_delta': {
      const item = openItem(state, out, 'reasoning');
      if (item.type !== 'reasoning') break;
      const part = item.summary[0] ?? { type: 'summary_text' as const, text: '' };
      if (item.summary.length === 0) {
        item.summary.push(part);
        out.push({
          type: 'response.reasoning_summary_part.added',
          ...where(state, item),
          summary_index: 0,
          part: { ...part },
        });
      }
      part.text += event.text;
      out.push({
        type: 'response.reasoning_summary_text.delta',
        ...where(state, item),
        summary_index: 0,
        delta: event.text,
      });
      break;
    }
    case 'reasoning_signature': {
      const index = state.openIndex;
      const item = index === undefined ? undefined : state.response.output[index];
      if (item?.type === 'reasoning' && state.options.includeEncryptedReasoning) {
        item.encrypted_content = event.signature;
      }
      break;
    }
    case 'text_delta': {
      if (!event.text) break;
      const item = openItem(state, out, 'message');
      if (item.type !== 'message') break;
      const part = item.content[0];
      if (!part) break;
      part.text += event.text;
      out.push({
        type: 'response.output_text.delta',
        ...where(state, item),
        content_index: 0,
        delta: event.text,
        logprobs: [],
      });
      break;
    }
    case 'tool_call_start': {
      closeOpen(state, out, 'completed');
      ensureReasoning(state, out);
      const item: FunctionCallOutput = {
        type: 'function_call',
        id: state.options.newItemId('fc'),
        call_id: event.id,
        name: event.name,
        arguments: '',
        status: 'in_progress',
      };
      state.toolCalls.set(event.index, addItem(state, out, item));
      break;
    }
    case 'tool_call_delta': {
      const item = toolCall(state, event.index);
      if (!item || !event.argumentsDelta) break;
      item.arguments += event.argumentsDelta;
      out.push({
        type: 'response.function_call_arguments.delta',
        ...where(state, item),
        delta: event.argumentsDelta,
      });
      break;
    }
    case 'tool_call_end': {
      const item = toolCall(state, event.index);
      if (!item) break;
      item.arguments = event.arguments;
      item.status = 'completed';
      out.push({
        type: 'response.function_call_arguments.done',
        ...where(state, item),
        name: item.name,
        arguments: item.arguments,
      });
      out.push({
        type: 'response.output_item.done',
        output_index: where(state, item).output_index,
        item: snapshot(item),
      });
      state.toolCalls.delete(event.index);
      break;
    }
    case 'finish':
      finish(state, out, event.reason, event.usage);
      break;
    case 'error':
      fail(state, out, event.error);
      break;
  }
  return sequenced(state, out);
}

/**
 * A compaction run: the summary text is gathered, not streamed, and becomes the one `compaction`
 * item of the answer when the run finishes (Codex takes exactly one, from its output_item.done).
 */
function encodeCompaction(state: EncoderState, out: EventBody[], event: RunEvent): void {
  if (event.type === 'text_delta') state.summary += event.text;
  else if (event.type === 'error') fail(state, out, event.error);
  else if (event.type === 'finish') {
    const item: CompactionOutput = {
      type: 'compaction',
      id: state.options.newItemId('cmp'),
      encrypted_content: encodeSummary(state.summary),
    };
    const index = addItem(state, out, item);
    out.push({ type: 'response.output_item.done', output_index: index, item: snapshot(item) });
    finish(state, out, event.reason, event.usage);
  }
}

function finish(state: EncoderState, out: EventBody[], reason: FinishReason, usage: RunUsage): void {
  const cut = reason === 'max_tokens';
  closeOpen(state, out, cut ? 'incomplete' : 'completed');
  ensureReasoning(state, out);
  const { response } = state;
  response.usage = toResponseUsage(usage);
  if (cut) {
    response.status = 'incomplete';
    response.incomplete_details = { reason: 'max_output_tokens' };
  } else {
    response.status = 'completed';
    response.completed_at = state.options.now();
  }
  state.ended = true;
  out.push({ type: cut ? 'response.incomplete' : 'response.completed', response: snapshot(response) });
}

/**
 * A failure after the first byte: an `error` event (openai-node raises it) and then
 * `response.failed` carrying the error, which Codex reads for its message.
 */
function fail(state: EncoderState, out: EventBody[], error: GatewayError): void {
  closeOpen(state, out, 'incomplete');
  const { response } = state;
  response.status = 'failed';
  response.error = { code: responseErrorCode(error), message: error.message };
  state.ended = true;
  state.failure = error;
  // OpenAI's clients read the fields on the event, Open Responses ones the same in an `error` object.
  const code = error.code ?? error.kind;
  const { type } = openAIErrorBody(error).error;
  out.push({
    type: 'error',
    code,
    message: error.message,
    param: error.param,
    error: { type, code, message: error.message, param: error.param },
  });
  out.push({ type: 'response.failed', response: snapshot(response) });
}

/** `response.error.code` is a closed set in the API; the neutral kinds map onto it. */
function responseErrorCode(error: GatewayError): string {
  switch (error.kind) {
    case 'rate_limited':
    case 'quota_exceeded':
      return 'rate_limit_exceeded';
    case 'invalid_request':
      return 'invalid_prompt';
    default:
      return 'server_error';
  }
}

/** The message or reasoning item that takes the next delta, opened (closing another) if needed. */
function openItem(state: EncoderState, out: EventBody[], type: 'message' | 'reasoning'): OutputItem {
  const index = state.openIndex;
  const current = index === undefined ? undefined : state.response.output[index];
  if (current?.type === type) return current;
  closeOpen(state, out, 'completed');
  if (type === 'reasoning') {
    state.reasoningSeen = true;
    // Without a signature `encrypted_content` is left out (Open Responses allows no null there).
    const item: ReasoningOutput = { type: 'reasoning', id: state.options.newItemId('rs'), summary: [] };
    state.openIndex = addItem(state, out, item);
    return item;
  }
  ensureReasoning(state, out);
  const item: MessageOutput = {
    type: 'message',
    id: state.options.newItemId('msg'),
    status: 'in_progress',
    role: 'assistant',
    content: [],
  };
  state.openIndex = addItem(state, out, item);
  const part = { type: 'output_text' as const, text: '', annotations: [] as [], logprobs: [] as [] };
  item.content.push(part);
  out.push({
    type: 'response.content_part.added',
    ...where(state, item),
    content_index: 0,
    part: { ...part },
  });
  return item;
}

/** Codex waits for a reasoning item when it asked for reasoning: an empty one when Claude gave none. */
function ensureReasoning(state: EncoderState, out: EventBody[]): void {
  if (!state.options.reasoningRequested || state.reasoningSeen) return;
  openItem(state, out, 'reasoning');
  closeOpen(state, out, 'completed');
}

function closeOpen(state: EncoderState, out: EventBody[], status: 'completed' | 'incomplete'): void {
  const index = state.openIndex;
  const item = index === undefined ? undefined : state.response.output[index];
  state.openIndex = undefined;
  if (!item) return;
  if (item.type === 'message') {
    item.status = status;
    const part = item.content[0];
    if (part) {
      out.push({
        type: 'response.output_text.done',
        ...where(state, item),
        content_index: 0,
        text: part.text,
        logprobs: [],
      });
      out.push({
        type: 'response.content_part.done',
        ...where(state, item),
        content_index: 0,
        part: { ...part },
      });
    }
  } else if (item.type === 'reasoning') {
    const part = item.summary[0];
    if (part) {
      out.push({
        type: 'response.reasoning_summary_text.done',
        ...where(state, item),
        summary_index: 0,
        text: part.text,
      });
      out.push({
        type: 'response.reasoning_summary_part.done',
        ...where(state, item),
        summary_index: 0,
        part: { ...part },
      });
    }
  }
  out.push({ type: 'response.output_item.done', output_index: index ?? 0, item: snapshot(item) });
}

function addItem(state: EncoderState, out: EventBody[], item: OutputItem): number {
  const index = state.response.output.push(item) - 1;
  out.push({ type: 'response.output_item.added', output_index: index, item: snapshot(item) });
  return index;
}

function toolCall(state: EncoderState, callIndex: number): FunctionCallOutput | undefined {
  const index = state.toolCalls.get(callIndex);
  const item = index === undefined ? undefined : state.response.output[index];
  return item?.type === 'function_call' ? item : undefined;
}

function where(state: EncoderState, item: OutputItem): { item_id: string; output_index: number } {
  return { item_id: item.id, output_index: state.response.output.indexOf(item) };
}

/** Events are serialised later; a copy keeps later deltas out of events already produced. */
function snapshot<T>(value: T): T {
  return structuredClone(value);
}

function sequenced(state: EncoderState, events: EventBody[]): ResponseStreamEvent[] {
  return events.map((event) => ({ ...event, sequence_number: state.sequence++ }) as ResponseStreamEvent);
}
