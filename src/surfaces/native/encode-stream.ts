import { GatewayError } from '../../contract/gateway-error.js';
import type { FinishReason, RunEvent, RunUsage } from '../../contract/run-events.js';

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
  text: string;
  finish: { reason: FinishReason; usage: RunUsage } | undefined;
  failed: boolean;
}

export function createEncoderState(): NativeEncoderState {
  return { text: '', finish: undefined, failed: false };
}

/** One run event in native terms (none, for events this API does not show). */
export function encodeRunEvent(state: NativeEncoderState, event: RunEvent): NativeStreamEvent[] {
  switch (event.type) {
    case 'text_delta':
      state.text += event.text;
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
    case 'finish':
      state.finish = { reason: event.reason, usage: event.usage };
      return [];
    case 'error':
      state.failed = true;
      return [{ event: 'error', error: event.error }];
    default:
      // message_start, reasoning signatures and client tool calls: the native API has no client tools.
      return [];
  }
}

/** What ends the stream once the run is over: the `complete` event, or an error if it never finished. */
export function finishEncoding(
  state: NativeEncoderState,
  result: { sessionId: string; costUsd: number; durationMs: number },
): NativeStreamEvent[] {
  if (state.failed) return [];
  if (!state.finish) {
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
        response: state.text,
        usage: state.finish.usage,
        costUsd: result.costUsd,
        durationMs: Math.round(result.durationMs),
        sessionId: result.sessionId,
        stopReason: state.finish.reason,
      },
    },
  ];
}
