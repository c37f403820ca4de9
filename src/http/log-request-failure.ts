import type { Logger } from 'pino';
import type { GatewayError } from '../contract/gateway-error.js';

/**
 * How a failed request is logged. The gateway's own bug (500 `internal`) is an `error` with the
 * stack, to be fixed; a 5xx that reports something outside the gateway (Claude overloaded, the
 * store or Redis away, a run timing out, the queue full) is a `warn` without a stack, since the stack
 * would only show where the gateway noticed it. Client errors (4xx) are the request line's status.
 */
export function logRequestFailure(log: Logger | undefined, cause: unknown, error: GatewayError): void {
  if (!log || error.status < 500) return;
  if (error.kind === 'internal') {
    log.error({ err: cause }, 'request failed');
    return;
  }
  log.warn({ status: error.status, code: error.code, reason: error.message }, 'request failed');
}
