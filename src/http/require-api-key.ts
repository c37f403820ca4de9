import type { MiddlewareHandler } from 'hono';
import './context-variables.js';
import type { Context } from 'hono';
import { invalidApiKey, missingApiKey, storeUnavailable, wsTicketInvalid } from '../contract/auth-errors.js';
import type { Principal } from '../contract/key-policy.js';
import type { Authenticator } from '../core/authenticator.js';
import { presentedKey } from '../util/api-key.js';
import { offeredTicket, type WsTickets } from './ws-tickets.js';

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
export function isConsolePath(path: string): boolean {
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
 * Every other path needs a key (deny by default, so routes added later are covered too): in a header,
 * or, for a WebSocket upgrade (browsers cannot set its headers), a ticket offered as a subprotocol;
 * a bad ticket is a 401 at the upgrade. Sets the `principal` for admission and the audit log.
 */
export function requireApiKey(authenticator: Authenticator, tickets?: WsTickets): MiddlewareHandler {
  return async function requireApiKeyMiddleware(c, next) {
    if (isPublicPath(c.req.path) || isConsolePath(c.req.path)) return next();
    const trusted = (c.env as TrustedCallerEnv | undefined)?.trustedPrincipal;
    if (trusted) {
      c.set('principal', trusted);
      return next();
    }
    const ticket = tickets ? webSocketTicket(c) : undefined;
    if (tickets && ticket !== undefined) {
      const principal = tickets.redeem(ticket);
      if (!principal) throw wsTicketInvalid();
      c.set('principal', principal);
      return next();
    }
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

/** The ticket a WebSocket upgrade offers, if it is one and offers any. */
function webSocketTicket(c: Context): string | undefined {
  if (c.req.header('upgrade')?.toLowerCase() !== 'websocket') return undefined;
  return offeredTicket(c.req.header('sec-websocket-protocol'));
}
