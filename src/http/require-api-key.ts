import type { MiddlewareHandler } from 'hono';
import './context-variables.js';
import { invalidApiKey, missingApiKey, storeUnavailable } from '../contract/auth-errors.js';
import type { Principal } from '../contract/key-policy.js';
import type { Authenticator } from '../core/authenticator.js';
import { presentedKey } from '../util/api-key.js';

/** Paths anyone may reach: probes, metrics (which has its own optional token), the API docs and the icon. */
const PUBLIC_PATHS = new Set([
  '/favicon.ico',
  '/health',
  '/ready',
  '/metrics',
  '/openapi.json',
  '/docs',
  '/docs/swagger-ui.css',
  '/docs/swagger-ui-bundle.js',
]);

export function isPublicPath(path: string): boolean {
  return PUBLIC_PATHS.has(path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path);
}

/** The web console signs in with its own session cookie (src/console), not with an API key header. */
function isConsolePath(path: string): boolean {
  return path === '/console' || path.startsWith('/console/');
}

/**
 * A request the gateway sends to itself in process (the console's playground) carries the signed-in
 * principal in the fetch environment, which no network request can set.
 */
export interface TrustedCallerEnv {
  trustedPrincipal?: Principal;
}

/**
 * Every other path needs a key (deny by default, so routes added later are covered too). Sets the
 * `principal` for the policy layer and the audit log.
 */
export function requireApiKey(authenticator: Authenticator): MiddlewareHandler {
  return async function requireApiKeyMiddleware(c, next) {
    if (isPublicPath(c.req.path) || isConsolePath(c.req.path)) return next();
    const trusted = (c.env as TrustedCallerEnv | undefined)?.trustedPrincipal;
    if (trusted) {
      c.set('principal', trusted);
      return next();
    }
    // A principal already set was authenticated another way (a native WebSocket ticket).
    if (c.get('principal')) return next();
    const presented = presentedKey(c.req.header('authorization'), c.req.header('x-api-key'));
    // A store that does not answer (database away) is a clear 503, not a 500 or a wrong 401.
    const result = await authenticator.authenticate(presented).catch(() => {
      throw storeUnavailable();
    });
    if (result.kind !== 'ok') {
      c.header('www-authenticate', 'Bearer');
      throw result.kind === 'missing' ? missingApiKey() : invalidApiKey();
    }
    c.set('principal', result.principal);
    return next();
  };
}
