import type { ErrorRenderer, GatewayError } from '../../contract/gateway-error.js';

/** The native API's error body (shared with /api/v1/sessions): code, message and what was at fault. */
export interface NativeErrorBody {
  error: { code: string; message: string; details: { param?: string; kind: string } };
  timestamp: string;
  requestId: string;
}

export function nativeErrorBody(error: GatewayError, requestId: string, now = new Date()): NativeErrorBody {
  return {
    error: {
      // Every native error has a code; kind-level codes stand in where the error has none.
      code: error.code ?? error.kind,
      message: error.message,
      details: { kind: error.kind, ...(error.param !== null ? { param: error.param } : {}) },
    },
    timestamp: now.toISOString(),
    requestId,
  };
}

/**
 * Errors under the task, template and seed-route paths. Registered by the tasks surface for its own
 * prefixes only, so it merges cleanly with the native sessions surface's renderer for /api/.
 */
export const renderNativeError: ErrorRenderer = (error, { requestId }) => ({
  status: error.status,
  body: nativeErrorBody(error, requestId),
  headers: error.headers(),
});
