import type { Context } from 'hono';
import './context-variables.js';

/**
 * Headers a middleware adds to the response once the route has answered (CORS, rate limits). A
 * stream written straight to the socket sends its headers before the route returns, so such a
 * middleware also registers here, before `next()`, what it would add; the stream applies it first.
 */
export function addHeadersLater(c: Context, add: () => void): void {
  const registered = c.get('lateHeaders');
  if (registered) registered.push(add);
  else c.set('lateHeaders', [add]);
}

/** Adds the registered headers to the context's response headers now. */
export function applyLateHeaders(c: Context): void {
  for (const add of c.get('lateHeaders') ?? []) add();
}
