import type { Context, MiddlewareHandler } from 'hono';
import { addHeadersLater } from './late-headers.js';

export interface CorsOptions {
  /** CORS_ORIGINS: exact origins (`https://app.example`), or `*` for any. Empty: CORS stays off. */
  origins: readonly string[];
}

/**
 * Request headers browsers send to this API: OpenAI and Anthropic SDKs (`dangerouslyAllowBrowser`)
 * add their own. Each must be listed by name: a wildcard inside a name (`x-stainless-*`) is not CORS
 * and browsers do not match it, so `x-stainless-*` headers are granted one by one as requested.
 */
const ALLOWED_HEADERS = new Set([
  'authorization',
  'content-type',
  'x-api-key',
  'x-request-id',
  'x-conversation-id',
  'anthropic-version',
  'anthropic-beta',
  'anthropic-dangerous-direct-browser-access',
  'openai-organization',
  'openai-project',
  'idempotency-key',
]);
const ALLOWED_PREFIX = 'x-stainless-';

const EXPOSED_HEADERS = [
  'x-request-id',
  'x-gateway-instance',
  'retry-after',
  'retry-after-ms',
  'x-should-retry',
  'x-ratelimit-limit-requests',
  'x-ratelimit-remaining-requests',
  'x-ratelimit-reset-requests',
  'x-gateway-dropped-tools',
  'server-timing',
  // The native API's rate-limit headers (/api/v1).
  'x-ratelimit-limit',
  'x-ratelimit-remaining',
  'x-ratelimit-reset',
].join(', ');

const ALLOWED_METHODS = 'GET, POST, DELETE, OPTIONS';
const PREFLIGHT_MAX_AGE_SECONDS = '600';

/** Off unless origins are listed: a gateway holding the owner's Claude account is not for every page. */
export function corsPolicy(options: CorsOptions): MiddlewareHandler {
  const anyOrigin = options.origins.includes('*');
  const listed = new Set(options.origins);
  return async function corsMiddleware(c, next) {
    const origin = c.req.header('origin');
    if (options.origins.length === 0 || origin === undefined) return next();
    const allowed = anyOrigin || listed.has(origin);
    const requestedMethod = c.req.header('access-control-request-method');
    if (c.req.method === 'OPTIONS' && requestedMethod !== undefined) {
      // A preflight: answered here, before auth (browsers never send credentials on it).
      const headers = new Headers({ vary: 'Origin, Access-Control-Request-Headers' });
      if (allowed) {
        headers.set('access-control-allow-origin', origin);
        headers.set('access-control-allow-methods', ALLOWED_METHODS);
        const granted = grantedHeaders(c.req.header('access-control-request-headers') ?? '');
        if (granted) headers.set('access-control-allow-headers', granted);
        headers.set('access-control-max-age', PREFLIGHT_MAX_AGE_SECONDS);
      }
      return new Response(null, { status: 204, headers });
    }
    // A stream sends its headers before this middleware's turn comes again: it adds them then.
    let added = false;
    const addCorsHeaders = (headers: Pick<Headers, 'append' | 'set'>) => {
      if (added) return;
      added = true;
      headers.append('vary', 'Origin');
      if (!allowed) return;
      headers.set('access-control-allow-origin', origin);
      headers.set('access-control-expose-headers', EXPOSED_HEADERS);
    };
    addHeadersLater(c, () => addCorsHeaders(contextHeaders(c)));
    await next();
    addCorsHeaders(c.res.headers);
  };
}

/** The context's response headers, through `c.header` (which also works before the route answered). */
function contextHeaders(c: Context): Pick<Headers, 'append' | 'set'> {
  return {
    append: (name, value) => c.header(name, value, { append: true }),
    set: (name, value) => c.header(name, value),
  };
}

/** The requested headers this API accepts, by name, as the browser asked for them. */
export function grantedHeaders(requested: string): string {
  return requested
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter((name) => name !== '' && (ALLOWED_HEADERS.has(name) || name.startsWith(ALLOWED_PREFIX)))
    .join(', ');
}
