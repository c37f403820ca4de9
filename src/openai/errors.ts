import { truncateForEcho } from '../hardening/field-limits.js';

/**
 * The one error type that crosses layers: it already knows the HTTP status and the OpenAI error body
 * a client must see, so routes and `app.onError` never have to guess.
 */
export type OpenAIErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'insufficient_quota'
  | 'server_error'
  | 'api_error'
  | 'timeout_error'
  | 'service_unavailable';

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export interface GatewayErrorInit {
  status: number;
  message: string;
  type: OpenAIErrorType;
  param?: string | null;
  code?: string | null;
  /** Seconds a client should wait before retrying (sent as `retry-after` and `retry-after-ms`). */
  retryAfterSeconds?: number;
  /** openai-node reads `x-should-retry` before anything else; false stops pointless retries. */
  shouldRetry?: boolean;
}

export class GatewayError extends Error {
  readonly status: number;
  readonly type: OpenAIErrorType;
  readonly param: string | null;
  readonly code: string | null;
  readonly retryAfterSeconds: number | undefined;
  readonly shouldRetry: boolean | undefined;

  constructor(init: GatewayErrorInit) {
    super(init.message);
    this.name = 'GatewayError';
    this.status = init.status;
    this.type = init.type;
    this.param = init.param ?? null;
    this.code = init.code ?? null;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.shouldRetry = init.shouldRetry;
  }

  toBody(): OpenAIErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }

  headers(): Record<string, string> {
    const headers: Record<string, string> = {};
    if (this.retryAfterSeconds !== undefined) {
      headers['retry-after'] = String(Math.max(1, Math.ceil(this.retryAfterSeconds)));
      headers['retry-after-ms'] = String(Math.round(this.retryAfterSeconds * 1000));
    }
    if (this.shouldRetry !== undefined) headers['x-should-retry'] = String(this.shouldRetry);
    return headers;
  }
}

export const invalidRequest = (message: string, param: string | null = null, code: string | null = null) =>
  new GatewayError({ status: 400, type: 'invalid_request_error', message, param, code });

export const unsupportedParameter = (param: string, message: string) =>
  new GatewayError({
    status: 400,
    type: 'invalid_request_error',
    message,
    param,
    code: 'unsupported_parameter',
  });

export const modelNotFound = (model: string) =>
  new GatewayError({
    status: 404,
    type: 'invalid_request_error',
    message: `The model '${truncateForEcho(model)}' does not exist or you do not have access to it.`,
    param: 'model',
    code: 'model_not_found',
  });

export const routeNotFound = (method: string, path: string) =>
  new GatewayError({
    status: 404,
    type: 'invalid_request_error',
    message: `Unknown request URL: ${method} ${truncateForEcho(path, 256)}.`,
    code: 'unknown_url',
  });

export const internalError = (message = 'The gateway hit an unexpected error.') =>
  new GatewayError({ status: 500, type: 'server_error', message, code: 'internal_error' });

export function toGatewayError(error: unknown): GatewayError {
  return error instanceof GatewayError ? error : internalError();
}
