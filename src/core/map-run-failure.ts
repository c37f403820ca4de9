import { internalError } from '../contract/errors.js';
import { GatewayError } from '../contract/gateway-error.js';
import { ClaudeRunError } from '../engine/run-error.js';

/** A thrown failure of a run (process missing, crashed, aborted, timed out) as an OpenAI error. */
export function mapRunFailure(error: unknown, timedOut: boolean): GatewayError {
  if (error instanceof GatewayError) return error;
  if (timedOut) {
    return new GatewayError({
      status: 504,
      kind: 'timeout',
      code: 'request_timeout',
      message: 'Claude Code did not finish within the gateway request timeout.',
    });
  }
  if (!(error instanceof ClaudeRunError)) return internalError();
  switch (error.failure) {
    case 'unavailable':
      return new GatewayError({
        status: 503,
        kind: 'unavailable',
        code: 'claude_code_unavailable',
        message: 'Claude Code is not available on this gateway (the executable could not be started).',
        retryAfterSeconds: 30,
      });
    case 'aborted':
      return new GatewayError({
        status: 499,
        kind: 'invalid_request',
        code: 'client_closed_request',
        message: 'The request was cancelled.',
      });
    case 'crashed':
      return new GatewayError({
        status: 502,
        kind: 'upstream',
        code: 'claude_code_crashed',
        message: 'Claude Code stopped unexpectedly before answering.',
      });
  }
}
