/**
 * The one neutral error that crosses layers. It knows its HTTP status, a stable `code` (the same on
 * every surface; OpenAI-style snake_case, e.g. `model_not_found`, `queue_full`,
 * `upstream_unavailable`) and its `kind`; each surface renders it in its own body shape
 * (`surfaces/<name>/render-error.ts`), and `app.onError` asks the surface that owns the path.
 */
export type ErrorKind =
  | 'invalid_request' // 400 (or 404 for an unknown model), `param` names the field in the surface's own terms
  | 'authentication' // 401: the caller's key is missing or wrong
  | 'permission' // 403: the key may not do this
  | 'not_found' // 404: unknown route, model, session, response, task
  | 'conflict' // 409: e.g. a session already running a turn
  | 'too_large' // 413
  | 'rate_limited' // 429: key rpm, key concurrency, queue full, upstream 429
  | 'quota_exceeded' // 429: budget spent
  | 'timeout' // 504: the run took longer than allowed
  | 'unavailable' // 503: upstream overloaded/unreachable, queue wait timeout, shutting down, no CLI
  | 'upstream' // 502: Claude Code or the Claude API failed
  | 'internal'; // 500

export interface GatewayErrorInit {
  kind: ErrorKind;
  status: number;
  message: string;
  code?: string | null;
  /** The request field at fault, in the surface's own terms (`messages[2].content`, `input[0]`). */
  param?: string | null;
  /** Seconds a client should wait before retrying (sent as `retry-after` and `retry-after-ms`). */
  retryAfterSeconds?: number;
  /** openai-node reads `x-should-retry` before anything else; false stops pointless retries. */
  shouldRetry?: boolean;
}

export class GatewayError extends Error {
  readonly kind: ErrorKind;
  readonly status: number;
  readonly code: string | null;
  readonly param: string | null;
  readonly retryAfterSeconds: number | undefined;
  readonly shouldRetry: boolean | undefined;

  constructor(init: GatewayErrorInit) {
    super(init.message);
    this.name = 'GatewayError';
    this.kind = init.kind;
    this.status = init.status;
    this.code = init.code ?? null;
    this.param = init.param ?? null;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.shouldRetry = init.shouldRetry;
  }

  /** Retry headers every surface sends with this error. */
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

/** How a surface shows an error: its status, body and headers. */
export interface RenderedError {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

export type ErrorRenderer = (error: GatewayError, context: { requestId: string }) => RenderedError;
