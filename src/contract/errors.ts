import { truncateForEcho } from './field-limits.js';
import { GatewayError } from './gateway-error.js';

/**
 * Constructors for the neutral errors every surface raises; how a surface shows them is its own
 * `render-error.ts`.
 */
export const invalidRequest = (message: string, param: string | null = null, code: string | null = null) =>
  new GatewayError({ kind: 'invalid_request', status: 400, message, param, code });

export const unsupportedParameter = (param: string, message: string) =>
  new GatewayError({ kind: 'invalid_request', status: 400, message, param, code: 'unsupported_parameter' });

export const modelNotFound = (model: string) =>
  new GatewayError({
    kind: 'invalid_request',
    status: 404,
    message: `The model '${truncateForEcho(model)}' does not exist or you do not have access to it.`,
    param: 'model',
    code: 'model_not_found',
  });

export const routeNotFound = (method: string, path: string) =>
  new GatewayError({
    kind: 'not_found',
    status: 404,
    message: `Unknown request URL: ${method} ${truncateForEcho(path, 256)}.`,
    code: 'unknown_url',
  });

/** A run cut because the gateway stopped (its shutdown grace ended): another instance can serve it. */
export const gatewayShuttingDown = () =>
  new GatewayError({
    kind: 'unavailable',
    status: 503,
    code: 'gateway_shutting_down',
    message: 'The gateway is shutting down and stopped this request; retry it against another instance.',
    retryAfterSeconds: 1,
  });

export const internalError = (message = 'The gateway hit an unexpected error.') =>
  new GatewayError({ kind: 'internal', status: 500, message, code: 'internal_error' });

export function toGatewayError(error: unknown): GatewayError {
  return error instanceof GatewayError ? error : internalError();
}
