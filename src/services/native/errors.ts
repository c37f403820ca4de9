import { GatewayError } from '../../contract/gateway-error.js';

/**
 * The native sessions' refusals; codes are neutral snake_case, which the native wire's renderer
 * names (`SESSION_NOT_FOUND`...).
 */

export const sessionNotFound = (id: string) =>
  new GatewayError({
    kind: 'not_found',
    status: 404,
    code: 'session_not_found',
    message: `Session ${id} was not found (it may have expired or been deleted).`,
  });

export const sessionBusy = (id: string) =>
  new GatewayError({
    kind: 'conflict',
    status: 409,
    code: 'session_busy',
    message: `Session ${id} is already running a turn; send the next one when it has finished.`,
    shouldRetry: false,
  });

export const modelNotFound = (model: string) =>
  new GatewayError({
    kind: 'invalid_request',
    status: 400,
    code: 'model_not_found',
    param: 'model',
    message: `The model '${model}' is not served here; GET /api/v1/models lists the models.`,
  });

export const agentModeDisabled = (param: string) =>
  new GatewayError({
    kind: 'invalid_request',
    status: 400,
    code: 'agent_mode_disabled',
    param,
    message: `Agent settings (${param}) need agent mode, which is not enabled on this gateway.`,
  });

/** Every session of the caller (or of the gateway) is running a turn, so none can make room. */
export const sessionLimitReached = (limit: number) =>
  new GatewayError({
    kind: 'rate_limited',
    status: 429,
    code: 'session_limit_reached',
    message: `The session limit (${limit}) is reached and every session is busy; delete one or retry later.`,
    retryAfterSeconds: 5,
  });
