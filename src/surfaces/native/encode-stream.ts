import { GatewayError } from '../../contract/gateway-error.js';
import type { FinishReason, RunEvent, RunUsage } from '../../contract/run-events.js';
import type { SessionTurn, TurnOutcome } from '../../services/native/session-service.js';

/**
 * The native stream, in wire-neutral objects: SSE sends `message` events with the `data` object
 * and one `complete` or `error`; a WebSocket sends the same objects as frames (`type` inside).
 */
export type NativeMessageData =
  | { type: 'text_delta'; text: string }
  | { type: 'thinking_delta'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: unknown }
  | { type: 'tool_result'; id: string; name: string; output: string; isError: boolean };

export interface NativeCompleteData {
  response: string;
  usage: RunUsage;
  costUsd: number;
  durationMs: number;
  sessionId: string;
  /** Why the answer ended: `end_turn`, `max_turns` (an agent ran out of turns), `max_tokens`. */
  stopReason: FinishReason;
}

export type NativeStreamEvent =
  | { event: 'message'; data: NativeMessageData }
  | { event: 'complete'; data: NativeCompleteData }
  | { event: 'error'; error: GatewayError };

export interface NativeEncoderState {
  failed: boolean;
}

export function createEncoderState(): NativeEncoderState {
  return { failed: false };
}

/** One run event in native terms (none, for events this API does not show). */
export function encodeRunEvent(state: NativeEncoderState, event: RunEvent): NativeStreamEvent[] {
  switch (event.type) {
    case 'text_delta':
      return [{ event: 'message', data: { type: 'text_delta', text: event.text } }];
    case 'reasoning_delta':
      return [{ event: 'message', data: { type: 'thinking_delta', text: event.text } }];
    case 'agent_tool_use':
      return [
        { event: 'message', data: { type: 'tool_use', id: event.id, name: event.name, input: event.input } },
      ];
    case 'agent_tool_result':
      return [
        {
          event: 'message',
          data: {
            type: 'tool_result',
            id: event.id,
            name: event.name,
            output: event.output,
            isError: event.isError,
          },
        },
      ];
    case 'error':
      state.failed = true;
      return [{ event: 'error', error: event.error }];
    default:
      // message_start, reasoning signatures, client tool calls (the native API has none) and the
      // finish, which the turn's outcome reports.
      return [];
  }
}

/** What ends the stream once the turn is over: `complete` with its outcome, or an error if it never finished. */
export function finishEncoding(
  state: NativeEncoderState,
  outcome: TurnOutcome | undefined,
): NativeStreamEvent[] {
  if (state.failed) return [];
  if (!outcome) {
    return [
      {
        event: 'error',
        error: new GatewayError({
          kind: 'upstream',
          status: 502,
          code: 'incomplete_answer',
          message: 'Claude Code ended the turn without finishing its answer.',
        }),
      },
    ];
  }
  return [
    {
      event: 'complete',
      data: {
        response: outcome.response,
        usage: outcome.usage,
        costUsd: outcome.costUsd,
        durationMs: Math.round(outcome.durationMs),
        sessionId: outcome.sessionId,
        stopReason: outcome.stopReason,
      },
    },
  ];
}

/** A turn's whole native stream: its events as messages, then `complete` (or the error that ended it). */
export async function* encodeTurn(turn: SessionTurn): AsyncGenerator<NativeStreamEvent, void, undefined> {
  const state = createEncoderState();
  for await (const event of turn.events) yield* encodeRunEvent(state, event);
  yield* finishEncoding(state, turn.outcome());
}
