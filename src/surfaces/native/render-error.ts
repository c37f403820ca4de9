import type { ErrorRenderer, GatewayError } from '../../contract/gateway-error.js';

/**
 * The native API's error body, as the servers it grew from answer and their clients parse:
 * `{"error":{"code","message","details"},"timestamp","requestId"}` with SCREAMING_SNAKE codes.
 */
export interface NativeErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
  timestamp: string;
  requestId: string;
}

/** Neutral codes with a native name of their own; everything else is named after its kind. */
const CODE_NAMES: Record<string, string> = {
  session_not_found: 'SESSION_NOT_FOUND',
  session_busy: 'SESSION_BUSY',
  session_limit_reached: 'SESSION_LIMIT_REACHED',
  missing_api_key: 'MISSING_API_KEY',
  invalid_api_key: 'INVALID_API_KEY',
  key_expired: 'API_KEY_EXPIRED',
  model_not_found: 'MODEL_NOT_FOUND',
  budget_exceeded: 'QUOTA_EXCEEDED',
  insufficient_quota: 'QUOTA_EXCEEDED',
};

const KIND_NAMES: Record<GatewayError['kind'], string> = {
  invalid_request: 'INVALID_REQUEST',
  authentication: 'INVALID_API_KEY',
  permission: 'FORBIDDEN',
  not_found: 'NOT_FOUND',
  conflict: 'CONFLICT',
  too_large: 'REQUEST_TOO_LARGE',
  rate_limited: 'RATE_LIMIT_EXCEEDED',
  quota_exceeded: 'QUOTA_EXCEEDED',
  timeout: 'TIMEOUT',
  unavailable: 'SERVICE_UNAVAILABLE',
  upstream: 'UPSTREAM_ERROR',
  internal: 'INTERNAL_ERROR',
};

export function nativeErrorCode(error: GatewayError): string {
  return (error.code !== null ? CODE_NAMES[error.code] : undefined) ?? KIND_NAMES[error.kind];
}

/** The `error` object alone: what an SSE `error` event and a WebSocket error frame carry. */
export function nativeErrorObject(error: GatewayError): NativeErrorBody['error'] {
  const details: Record<string, unknown> = {};
  if (error.param !== null) details.param = error.param;
  // The neutral code keeps the finer reason (e.g. which limit) that the native code groups.
  if (error.code !== null) details.reason = error.code;
  if (error.retryAfterSeconds !== undefined) details.retryAfterSeconds = Math.ceil(error.retryAfterSeconds);
  return { code: nativeErrorCode(error), message: error.message, details };
}

export function nativeErrorBody(
  error: GatewayError,
  requestId: string,
  now: Date = new Date(),
): NativeErrorBody {
  return { error: nativeErrorObject(error), timestamp: now.toISOString(), requestId };
}

export const renderNativeError: ErrorRenderer = (error, { requestId }) => ({
  status: error.status,
  body: nativeErrorBody(error, requestId),
  headers: error.headers(),
});
