import type { QuietRequest } from '../http/request-logger.js';

/** Polled on a schedule by load balancers, orchestrators and Prometheus: one line each at info would bury the rest. */
const PROBES = new Set(['/health', '/ready', '/metrics', '/favicon.ico']);

/**
 * Probes and the web console's reads (its live view and tables poll every few seconds) are logged at
 * debug; what the console changes (sign-in, keys, cancels) stays at info.
 */
export const quietRequest: QuietRequest = (method, path) =>
  (method === 'GET' || method === 'HEAD') &&
  (PROBES.has(path) || path === '/console' || path.startsWith('/console/'));
