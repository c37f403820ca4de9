import { GatewayError } from '../contract/gateway-error.js';
import type { FinishReason } from '../contract/run-events.js';

/** Claude stop reasons as neutral finish reasons; unknown reasons read as a normal end of turn. */
export function finishReasonOf(stopReason: string | null | undefined, hasToolCalls: boolean): FinishReason {
  if (hasToolCalls) return 'tool_use';
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'max_tokens';
    case 'refusal':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

/** Claude answered in text even after Claude Code insisted on the StructuredOutput tool. */
export function structuredOutputMissing(): GatewayError {
  return new GatewayError({
    kind: 'upstream',
    status: 502,
    code: 'structured_output_failed',
    message: 'Claude answered without producing the requested JSON output.',
  });
}
