import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import type { Logger } from 'pino';
import type { ChatService } from './chat/chat-service.js';
import type { ModelCatalog } from './claude/model-catalog.js';
import { corsPolicy } from './http/cors.js';
import { type AppEnv, requestLogger } from './http/request-logger.js';
import { GatewayError, internalError, routeNotFound } from './openai/errors.js';
import { chatCompletionsRoutes } from './routes/chat-completions.js';
import { type HealthDeps, healthRoutes } from './routes/health.js';
import { modelsRoutes } from './routes/models.js';

export interface AppDeps {
  logger: Logger;
  chat: ChatService;
  models: ModelCatalog;
  health: HealthDeps;
  maxBodyBytes: number;
  keepAliveMs: number;
  startedAt: number;
  /** CORS_ORIGINS; CORS is off when empty. */
  corsOrigins?: readonly string[];
  /** Run first, around everything, so they see every request and its final status (metrics). */
  outerMiddleware?: MiddlewareHandler[];
  /** Run after CORS and the body limit, before any route: body sanity, drain, auth, key policy. */
  guardMiddleware?: MiddlewareHandler[];
  /** Extra routes at the root (probes, metrics, API docs). */
  rootRoutes?: Hono[];
  /** Extra API routes, served under /v1 and without the prefix like the others. */
  apiRoutes?: Hono[];
}

export function createApp(deps: AppDeps) {
  const app = new Hono<AppEnv>();
  app.use(requestId({ headerName: 'x-request-id' }));
  for (const middleware of deps.outerMiddleware ?? []) app.use(middleware);
  app.use(requestLogger(deps.logger));
  app.use(corsPolicy({ origins: deps.corsOrigins ?? [] }));
  app.use(
    bodyLimit({
      maxSize: deps.maxBodyBytes,
      onError: () => {
        throw new GatewayError({
          status: 413,
          type: 'invalid_request_error',
          code: 'request_too_large',
          message: `The request body is larger than ${deps.maxBodyBytes} bytes.`,
        });
      },
    }),
  );
  for (const middleware of deps.guardMiddleware ?? []) app.use(middleware);

  const api = new Hono<AppEnv>()
    .route('/', chatCompletionsRoutes(deps.chat, { keepAliveMs: deps.keepAliveMs }))
    .route('/', modelsRoutes(deps.models, { created: Math.floor(deps.startedAt / 1000) }));
  for (const routes of deps.apiRoutes ?? []) api.route('/', routes);
  app.route('/', healthRoutes(deps.health));
  for (const routes of deps.rootRoutes ?? []) app.route('/', routes);
  app.route('/v1', api);
  app.route('/', api);

  app.notFound((c) => {
    const error = routeNotFound(c.req.method, c.req.path);
    return c.json(error.toBody(), 404);
  });
  app.onError((err, c) => {
    const error = asGatewayError(err);
    if (error.status >= 500) c.get('log')?.error({ err }, 'request failed');
    return c.json(error.toBody(), error.status as 400, error.headers());
  });
  return app;
}

function asGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  if (err instanceof HTTPException) {
    return new GatewayError({
      status: err.status,
      type:
        err.status === 401
          ? 'authentication_error'
          : err.status >= 500
            ? 'server_error'
            : 'invalid_request_error',
      message: err.message || 'Invalid request.',
      code: err.status === 400 ? 'invalid_request' : null,
    });
  }
  return internalError();
}
