import { GatewayError } from '../../../contract/gateway-error.js';
import type { FinishReason, RunEvent } from '../../../contract/run-events.js';
import { type OpenAIErrorBody, openAIErrorBody } from '../openai-error.js';
import { toOpenAIUsage } from '../openai-usage.js';
import type { CompletionFinishReason, TextCompletion } from './wire.js';

/**
 * Neutral run events in, legacy `text_completion` chunks out: a pure state machine. Only the answer
 * text is a completion's; reasoning and tool activity have no place in this wire.
 */
export interface EncoderState {
  readonly id: string;
  readonly created: number;
  /** The model as the client named it; echoed back. */
  readonly model: string;
  /** Send a last `choices: []` chunk with usage (stream_options.include_usage; always when folding). */
  readonly includeUsage: boolean;
  /** True after the finish or an error: nothing more is sent. */
  done: boolean;
  /** The stream ended with an error frame (so no `[DONE]`). */
  failed: boolean;
}

export type CompletionFrame =
  | { kind: 'chunk'; chunk: TextCompletion }
  | { kind: 'error'; body: OpenAIErrorBody };

export function createEncoderState(options: Omit<EncoderState, 'done' | 'failed'>): EncoderState {
  return { ...options, done: false, failed: false };
}

export function encodeEvent(state: EncoderState, event: RunEvent): CompletionFrame[] {
  if (state.done) return [];
  switch (event.type) {
    case 'text_delta':
      return event.text === '' ? [] : [chunk(state, event.text, null)];
    case 'finish': {
      state.done = true;
      const frames: CompletionFrame[] = [chunk(state, '', finishReasonOf(event.reason))];
      if (state.includeUsage) {
        frames.push({
          kind: 'chunk',
          chunk: { ...base(state), choices: [], usage: toOpenAIUsage(event.usage) },
        });
      }
      return frames;
    }
    case 'error':
      state.done = true;
      state.failed = true;
      return [{ kind: 'error', body: openAIErrorBody(event.error) }];
    default:
      return [];
  }
}

/** The events ended without `finish` or `error`: the client must not mistake the cut answer for a whole one. */
export function encodeEnd(state: EncoderState): CompletionFrame[] {
  return state.done ? [] : encodeEvent(state, { type: 'error', error: incompleteAnswer() });
}

export function incompleteAnswer(): GatewayError {
  return new GatewayError({
    kind: 'upstream',
    status: 502,
    message: 'Claude Code ended the answer without finishing it.',
    code: 'incomplete_answer',
  });
}

export function finishReasonOf(reason: FinishReason): CompletionFinishReason {
  if (reason === 'max_tokens' || reason === 'max_turns') return 'length';
  return reason === 'refusal' ? 'content_filter' : 'stop';
}

function base(state: EncoderState): Omit<TextCompletion, 'choices'> {
  return { id: state.id, object: 'text_completion', created: state.created, model: state.model };
}

function chunk(
  state: EncoderState,
  text: string,
  finishReason: CompletionFinishReason | null,
): CompletionFrame {
  return {
    kind: 'chunk',
    chunk: { ...base(state), choices: [{ index: 0, text, logprobs: null, finish_reason: finishReason }] },
  };
}
