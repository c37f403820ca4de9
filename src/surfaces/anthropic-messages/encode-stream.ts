import { GatewayError } from '../../contract/gateway-error.js';
import type { FinishReason, RunEvent, RunUsage } from '../../contract/run-events.js';
import { anthropicErrorBody } from './render-error.js';
import type { AnthropicUsage, StopReason, StreamEvent } from './wire.js';

/**
 * Neutral run events in, Anthropic Messages stream events out: a pure state machine, so the stream
 * and the non-streaming reply (a fold of this stream) cannot drift apart. Blocks are opened lazily
 * and closed when the kind of content changes, as the Messages API streams them.
 */
export interface EncoderState {
  readonly id: string;
  /** The model as the client named it; echoed back. */
  readonly model: string;
  started: boolean;
  /** The open block: its index and kind (a tool block also remembers whether arguments streamed). */
  open:
    | { index: number; kind: 'text' | 'thinking' }
    | { index: number; kind: 'tool_use'; streamed: boolean }
    | undefined;
  nextIndex: number;
  /** True after `message_stop` or an error: nothing more is sent. */
  done: boolean;
}

export function createEncoderState(options: { id: string; model: string }): EncoderState {
  return { id: options.id, model: options.model, started: false, open: undefined, nextIndex: 0, done: false };
}

export function encodeEvent(state: EncoderState, event: RunEvent): StreamEvent[] {
  if (state.done) return [];
  if (event.type === 'error') {
    state.done = true;
    return [anthropicErrorBody(event.error)];
  }
  const out: StreamEvent[] = [];
  if (!state.started) {
    state.started = true;
    out.push(messageStart(state), { type: 'ping' });
  }
  switch (event.type) {
    case 'message_start':
      break;
    case 'text_delta':
      if (event.text === '') break;
      ensureOpen(state, 'text', out);
      out.push(delta(state, { type: 'text_delta', text: event.text }));
      break;
    case 'reasoning_delta':
      if (event.text === '') break;
      ensureOpen(state, 'thinking', out);
      out.push(delta(state, { type: 'thinking_delta', thinking: event.text }));
      break;
    case 'reasoning_signature':
      // A signature belongs to the thinking block just streamed; without one open there is nothing to sign.
      if (state.open?.kind === 'thinking') {
        out.push(delta(state, { type: 'signature_delta', signature: event.signature }));
      }
      break;
    case 'tool_call_start': {
      closeOpen(state, out);
      const index = state.nextIndex++;
      state.open = { index, kind: 'tool_use', streamed: false };
      out.push({
        type: 'content_block_start',
        index,
        content_block: { type: 'tool_use', id: event.id, name: event.name, input: {} },
      });
      break;
    }
    case 'tool_call_delta':
      if (state.open?.kind !== 'tool_use' || event.argumentsDelta === '') break;
      state.open.streamed = true;
      out.push(delta(state, { type: 'input_json_delta', partial_json: event.argumentsDelta }));
      break;
    case 'tool_call_end':
      if (state.open?.kind !== 'tool_use') break;
      // A call that arrived whole (not streamed) still reaches the client as one input_json_delta.
      if (!state.open.streamed && event.arguments !== '') {
        out.push(delta(state, { type: 'input_json_delta', partial_json: event.arguments }));
      }
      closeOpen(state, out);
      break;
    case 'agent_tool_use':
    case 'agent_tool_result':
      // Agent mode is not offered on this surface; Claude Code's own tool activity is not shown.
      break;
    case 'finish':
      closeOpen(state, out);
      state.done = true;
      out.push(
        {
          type: 'message_delta',
          delta: { stop_reason: stopReasonOf(event.reason), stop_sequence: event.stopSequence ?? null },
          usage: toAnthropicUsage(event.usage),
        },
        { type: 'message_stop' },
      );
      break;
  }
  return out;
}

/** The events ended without `finish` or `error`: the client must not mistake the cut answer for a whole one. */
export function encodeEnd(state: EncoderState): StreamEvent[] {
  if (state.done) return [];
  return encodeEvent(state, { type: 'error', error: incompleteAnswer() });
}

export function incompleteAnswer(): GatewayError {
  return new GatewayError({
    kind: 'upstream',
    status: 502,
    message: 'Claude Code ended the answer without finishing it.',
    code: 'incomplete_answer',
  });
}

export function toAnthropicUsage(usage: RunUsage): AnthropicUsage {
  return {
    input_tokens: usage.inputTokens,
    output_tokens: usage.outputTokens,
    cache_creation_input_tokens: usage.cacheCreationInputTokens,
    cache_read_input_tokens: usage.cacheReadInputTokens,
  };
}

export function stopReasonOf(reason: FinishReason): StopReason {
  // An agent run out of turns has no Anthropic counterpart; its answer did end, so `end_turn`.
  return reason === 'max_turns' ? 'end_turn' : reason;
}

function messageStart(state: EncoderState): StreamEvent {
  return {
    type: 'message_start',
    message: {
      id: state.id,
      type: 'message',
      role: 'assistant',
      model: state.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      // The run reports usage once, at its end; `message_delta` carries the real figures.
      usage: {
        input_tokens: 0,
        output_tokens: 0,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      },
    },
  };
}

function ensureOpen(state: EncoderState, kind: 'text' | 'thinking', out: StreamEvent[]): void {
  if (state.open?.kind === kind) return;
  closeOpen(state, out);
  const index = state.nextIndex++;
  state.open = { index, kind };
  out.push({
    type: 'content_block_start',
    index,
    content_block:
      kind === 'text' ? { type: 'text', text: '' } : { type: 'thinking', thinking: '', signature: '' },
  });
}

function closeOpen(state: EncoderState, out: StreamEvent[]): void {
  if (!state.open) return;
  out.push({ type: 'content_block_stop', index: state.open.index });
  state.open = undefined;
}

function delta(
  state: EncoderState,
  body: Extract<StreamEvent, { type: 'content_block_delta' }>['delta'],
): StreamEvent {
  return { type: 'content_block_delta', index: state.open?.index ?? 0, delta: body };
}
