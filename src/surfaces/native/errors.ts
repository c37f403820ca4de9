import { GatewayError } from '../../contract/gateway-error.js';

/** The errors only this surface raises; codes are neutral snake_case, render-error names them. */

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

export const invalidRequest = (message: string, param?: string) =>
  new GatewayError({
    kind: 'invalid_request',
    status: 400,
    code: 'invalid_request',
    message,
    param: param ?? null,
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

export const wsTicketInvalid = () =>
  new GatewayError({
    kind: 'authentication',
    status: 401,
    code: 'invalid_api_key',
    message: 'The WebSocket ticket is unknown, used or expired; get a new one from POST /api/v1/ws-tickets.',
  });
