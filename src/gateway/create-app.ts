import type { OpenAPIHono } from '@hono/zod-openapi';
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Logger } from 'pino';
import { internalError, routeNotFound } from '../contract/errors.js';
import { type ErrorRenderer, GatewayError } from '../contract/gateway-error.js';
import type { ModelCatalog } from '../core/model-catalog.js';
import { bodySizeLimit } from '../http/body-size-limit.js';
import { corsPolicy } from '../http/cors.js';
import { createErrorRenderers, type ErrorRenderers } from '../http/error-renderers.js';
import { logRequestFailure } from '../http/log-request-failure.js';
import { buildOpenApiDocument, type DescribedRoutes, type JsonObject } from '../http/openapi-document.js';
import { createPathTable } from '../http/path-table.js';
import { type RateLimitHeaderRenderer, rateLimitHeaders } from '../http/rate-limit-headers.js';
import { type AppEnv, type QuietRequest, requestLogger } from '../http/request-logger.js';
import { isConsolePath, isPublicPath } from '../http/require-api-key.js';
import type { Surface } from '../http/surface.js';
import { type HealthDeps, healthRoutes } from '../ops/health-route.js';
import { modelsRoutes } from '../surfaces/openai/models-route.js';

export interface AppDeps {
  logger: Logger;
  /** Requests logged at debug: health probes, metrics scrapes, the console's polling. */
  quietRequest?: QuietRequest;
  /** The wire surfaces (OpenAI chat, Anthropic Messages, native…): routes plus their error rendering. */
  surfaces: Surface[];
  /** Renders errors on paths no surface claims (the OpenAI body). */
  defaultErrorRenderer: ErrorRenderer;
  /** The rate-limit headers of every limited key's run, on every path (OpenAI's). */
  standardRateLimitHeaders: RateLimitHeaderRenderer;
  models: ModelCatalog;
  health: HealthDeps;
  maxBodyBytes: number;
  startedAt: number;
  /**
   * INSTANCE_ID, named on every response (`x-gateway-instance`): the gateway that answered, which
   * keeps the conversation's Claude Code process after a turn (for balancers that learn where to
   * send a client from its responses, and for tracing a conversation across gateways).
   */
  instanceId?: string;
  /** CORS_ORIGINS; CORS is off when empty. */
  corsOrigins?: readonly string[];
  /** Around everything, so they see every request and its final status. */
  outer?: OuterMiddleware;
  /** After CORS and the body limit, before any route. */
  guards?: AppGuards;
  /** Extra routes at the root (probes, metrics, console). */
  rootRoutes?: OpenAPIHono[];
  /** Extra API routes, served under /v1 and without the prefix like the others. */
  apiRoutes?: OpenAPIHono[];
  /**
   * The API docs, mounted at the root: given the OpenAPI document generated from every route the
   * app serves (built on first use, once all are registered).
   */
  apiDocs?: { version: string; routes: (document: () => JsonObject) => OpenAPIHono };
}

/** What wraps every request, outermost first. */
export interface OuterMiddleware {
  /** Counts every request with its final status and duration. */
  metrics: MiddlewareHandler;
  /** Aborts the run of a stream whose client stopped reading. */
  streamStall: MiddlewareHandler;
}

/** The request guards, in the order they run: each relies on what the ones before it decided. */
export interface AppGuards {
  /** Refuses DNS-rebinding and cross-site requests while the gateway is open to keyless callers. */
  hostOrigin: MiddlewareHandler;
  /** 503 for API requests once the gateway drains. */
  drain: MiddlewareHandler;
  /** The caller's key (or WebSocket ticket): 401 without a valid one, else the principal for everything after. */
  apiKey: MiddlewareHandler;
  /** Bounds how deeply nested a JSON body may be. */
  jsonBody: MiddlewareHandler;
  /** Records every POST of a key once it is over. */
  accounting: MiddlewareHandler;
}

type App = Hono<AppEnv>;

export const INSTANCE_HEADER = 'x-gateway-instance';

export function createApp(deps: AppDeps) {
  const app: App = new Hono<AppEnv>();
  // What surfaces declare for the paths they own: their error bodies and their own rate-limit headers.
  const renderers = createErrorRenderers(deps.defaultErrorRenderer);
  const extraRateLimitHeaders = createPathTable<RateLimitHeaderRenderer>();
  for (const surface of deps.surfaces) {
    for (const { prefix, renderer } of surface.errors ?? []) renderers.register(prefix, renderer);
    for (const { prefix, render } of surface.rateLimitHeaders ?? []) {
      extraRateLimitHeaders.register(prefix, render);
    }
  }
  useRequestLayers(app, deps, (path) => extraRateLimitHeaders.lookup(path));
  mountRoutes(app, deps);
  useErrorFunnel(app, renderers);
  return app;
}

/** Everything a request passes before its route, outermost first. */
function useRequestLayers(
  app: App,
  deps: AppDeps,
  extraRateLimitHeaders: (path: string) => RateLimitHeaderRenderer | undefined,
): void {
  app.use(async (c, next) => {
    c.set('receivedAt', performance.now());
    await next();
  });
  app.use(requestId({ headerName: 'x-request-id' }));
  const instanceId = deps.instanceId;
  if (instanceId !== undefined) {
    app.use(async (c, next) => {
      c.header(INSTANCE_HEADER, instanceId);
      await next();
    });
  }
  if (deps.outer) {
    app.use(deps.outer.metrics);
    app.use(deps.outer.streamStall);
  }
  app.use(requestLogger(deps.logger, deps.quietRequest));
  app.use(corsPolicy({ origins: deps.corsOrigins ?? [] }));
  app.use(
    bodySizeLimit({
      maxBytes: deps.maxBodyBytes,
      onTooLarge: () => {
        throw new GatewayError({
          status: 413,
          kind: 'too_large',
          code: 'request_too_large',
          message: `The request body is larger than ${deps.maxBodyBytes} bytes.`,
        });
      },
    }),
  );
  // Around the guards, so a run's refusal (a 429 from admission) carries the headers too.
  app.use(rateLimitHeaders({ standard: deps.standardRateLimitHeaders, extraFor: extraRateLimitHeaders }));
  const guards = deps.guards;
  if (guards) {
    app.use(guards.hostOrigin);
    app.use(guards.drain);
    app.use(guards.apiKey);
    app.use(guards.jsonBody);
    app.use(guards.accounting);
  }
}

/** Every surface and route, under /v1 and at the root, and the OpenAPI document describing them. */
function mountRoutes(app: App, deps: AppDeps): void {
  const api = new Hono<AppEnv>();
  // What the OpenAPI document describes: every route below, at the path clients use.
  const described: DescribedRoutes[] = [];
  const mountApi = (routes: OpenAPIHono) => {
    api.route('/', routes);
    described.push({ prefix: '/v1', routes });
  };
  const mountRoot = (routes: OpenAPIHono) => {
    app.route('/', routes);
    described.push({ prefix: '/', routes });
  };
  for (const surface of deps.surfaces) {
    if (surface.mount === 'root') mountRoot(surface.routes);
    else mountApi(surface.routes);
  }
  mountApi(modelsRoutes(deps.models, { created: Math.floor(deps.startedAt / 1000) }));
  for (const routes of deps.apiRoutes ?? []) mountApi(routes);
  mountRoot(healthRoutes(deps.health));
  for (const routes of deps.rootRoutes ?? []) mountRoot(routes);
  if (deps.apiDocs) {
    const { version } = deps.apiDocs;
    let document: JsonObject | undefined;
    // With the guards in front of every route, every operation declares what they answer too.
    const guarded = deps.guards ? { isPublic: isPublicPath, hasOwnSignIn: isConsolePath } : undefined;
    mountRoot(
      deps.apiDocs.routes(() => (document ??= buildOpenApiDocument({ version }, described, guarded))),
    );
  }
  app.route('/v1', api);
  app.route('/', api);
}

/** The one error funnel: the surface that owns the path decides the body. */
function useErrorFunnel(app: App, renderers: ErrorRenderers): void {
  const respond = (c: Context<AppEnv>, error: GatewayError) => {
    const rendered = renderers.rendererFor(c.req.path)(error, { requestId: c.get('requestId') });
    return c.json(rendered.body, rendered.status as ContentfulStatusCode, rendered.headers);
  };
  app.notFound((c) => respond(c, routeNotFound(c.req.method, c.req.path)));
  app.onError((err, c) => {
    const error = asGatewayError(err);
    logRequestFailure(c.get('log'), err, error);
    return respond(c, error);
  });
}

function asGatewayError(err: unknown): GatewayError {
  if (err instanceof GatewayError) return err;
  if (err instanceof HTTPException) {
    return new GatewayError({
      status: err.status,
      kind: err.status === 401 ? 'authentication' : err.status >= 500 ? 'internal' : 'invalid_request',
      message: err.message || 'Invalid request.',
      code: err.status === 400 ? 'invalid_request' : null,
    });
  }
  return internalError();
}
