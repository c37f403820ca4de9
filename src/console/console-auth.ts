import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { GatewayError } from '../contract/gateway-error.js';
import { type ConsoleSession, type SessionTokens, sameToken } from './session-token.js';

export const SESSION_COOKIE = 'claude_gateway_console';
export const CSRF_HEADER = 'x-csrf-token';

declare module 'hono' {
  interface ContextVariableMap {
    /** Set on console API requests by a valid sign-in cookie. */
    consoleSession: ConsoleSession;
  }
}

export interface ConsoleAuthDeps {
  tokens: SessionTokens;
  now: () => number;
  /** Sessions signed out before they expired (per instance; a cookie is cleared on logout anyway). */
  revoked: Map<string, number>;
}

export const consoleUnauthorized = () =>
  new GatewayError({
    kind: 'authentication',
    status: 401,
    code: 'console_sign_in_required',
    message: 'Sign in to the console with an admin key.',
  });

export const csrfRejected = () =>
  new GatewayError({
    kind: 'permission',
    status: 403,
    code: 'csrf_token_invalid',
    message: 'The request did not carry this session’s CSRF token.',
  });

/** Every console API call needs a signed-in session; every change also needs the CSRF token. */
export function requireConsoleSession(deps: ConsoleAuthDeps): MiddlewareHandler {
  return async function requireConsoleSessionMiddleware(c, next) {
    const token = getCookie(c, SESSION_COOKIE);
    const session = token ? deps.tokens.verify(token, deps.now()) : undefined;
    if (!session || deps.revoked.has(session.sid)) throw consoleUnauthorized();
    if (c.req.method !== 'GET' && c.req.method !== 'HEAD') {
      const presented = c.req.header(CSRF_HEADER) ?? '';
      if (!sameToken(presented, session.csrf)) throw csrfRejected();
    }
    c.set('consoleSession', session);
    await next();
  };
}

export function setSessionCookie(c: Context, token: string, session: ConsoleSession, now: number): void {
  setCookie(c, SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'Strict',
    path: '/console',
    secure: new URL(c.req.url).protocol === 'https:',
    maxAge: Math.max(1, Math.floor((session.exp - now) / 1000)),
  });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/console' });
}

/** Forgets revocations of sessions that have expired anyway, so the map stays small. */
export function pruneRevoked(revoked: Map<string, number>, now: number): void {
  for (const [sid, exp] of revoked) if (exp <= now) revoked.delete(sid);
}
