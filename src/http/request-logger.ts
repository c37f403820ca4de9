import type { MiddlewareHandler } from 'hono';
import type { Logger } from 'pino';

export type AppEnv = { Variables: { requestId: string; log: Logger } };

/**
 * One log line per request with its id, never the body: prompts and keys stay out of the logs.
 * Handlers get a child logger bound to the request id.
 */
export function requestLogger(logger: Logger): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const started = performance.now();
    const log = logger.child({ requestId: c.get('requestId') });
    c.set('log', log);
    await next();
    log.info(
      {
        method: c.req.method,
        path: c.req.path,
        status: c.res.status,
        durationMs: Math.round(performance.now() - started),
      },
      'request',
    );
  };
}
