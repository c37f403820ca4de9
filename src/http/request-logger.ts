import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';

export type AppEnv = { Variables: { requestId: string; log: Logger } };

/** Requests logged at `debug` instead of `info`: probes and polling that would flood the log. */
export type QuietRequest = (method: string, path: string) => boolean;

/**
 * One log line per request with its id, never the body: prompts and keys stay out of the logs.
 * Handlers get a child logger bound to the request id. A quiet request that fails on the gateway's
 * side (5xx) is still logged at `info`.
 */
export function requestLogger(logger: Logger, quiet: QuietRequest = () => false): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const log = logger.child({ requestId: c.get('requestId') });
    c.set('log', log);
    await next();
    const status = c.res.status;
    const level = status < 500 && quiet(c.req.method, c.req.path) ? 'debug' : 'info';
    log[level](
      { method: c.req.method, path: c.req.path, status, durationMs: Math.round(performance.now() - started) },
      'request',
    );
  };
}
