import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { AccountRouter } from '../core/accounts/account-router.js';
import type { Authenticator } from '../core/authenticator.js';
import type { ModelCatalog } from '../core/model-catalog.js';
import { CREDENTIALS_HELP } from '../engine/processes/credentials.js';
import type { DrainSwitch } from '../http/drain.js';
import { hostOriginGuard } from '../http/host-origin-guard.js';
import { jsonBodyGuard } from '../http/json-body-guard.js';
import { accountRequests } from '../http/request-accounting.js';
import { requireApiKey } from '../http/require-api-key.js';
import { streamStallGuard } from '../http/stream-stall-guard.js';
import type { Surface } from '../http/surface.js';
import type { WsTickets } from '../http/ws-tickets.js';
import { accountsRoutes } from '../ops/accounts-route.js';
import { apiDocsRoutes } from '../ops/api-docs-route.js';
import { metricsRoutes } from '../ops/metrics-route.js';
import { readyRoutes } from '../ops/ready-route.js';
import { loadSwaggerUiAssets } from '../ops/swagger-ui-assets.js';
import { usageRoutes } from '../ops/usage-route.js';
import type { GatewayStore } from '../store/gateway-store.js';
import { renderOpenAIError } from '../surfaces/openai/openai-error.js';
import { openAIRateLimitHeaders } from '../surfaces/openai/rate-limit-headers.js';
import { cachedProbe } from '../util/cached-probe.js';
import { GATEWAY_VERSION } from '../version.js';
import type { Accounting } from './accounting.js';
import { createApp } from './create-app.js';
import type { Engine } from './engine.js';
import { quietRequest } from './quiet-requests.js';

export interface AppSetup {
  config: Config;
  store: GatewayStore;
  engine: Engine;
  models: ModelCatalog;
  authenticator: Authenticator;
  accounting: Accounting;
  redisReachable: (() => Promise<boolean>) | undefined;
  drain: DrainSwitch;
  surfaces: Surface[];
  /** WebSocket tickets the auth step redeems (the native API issues them). */
  tickets: WsTickets;
  webConsole: OpenAPIHono;
  /** The pooled Claude accounts, for operators (GET /api/v1/accounts). */
  accounts: AccountRouter;
  logger: Logger;
}

/** The HTTP app: guards, every surface, probes, metrics, usage, the console and the API docs. */
export function buildApp(setup: AppSetup): ReturnType<typeof createApp> {
  const { config, store, engine, logger } = setup;
  const storeProbe = cachedProbe(() => store.probeWritable(), config.READY_CACHE_MS);
  return createApp({
    logger,
    quietRequest,
    surfaces: setup.surfaces,
    defaultErrorRenderer: renderOpenAIError,
    standardRateLimitHeaders: openAIRateLimitHeaders,
    models: setup.models,
    health: {
      probeClaudeCode: () => engine.probeClaudeCode(),
      version: GATEWAY_VERSION,
      upstreamNotices: () => setup.accounting.upstreamNotices(),
    },
    maxBodyBytes: config.MAX_BODY_BYTES,
    startedAt: Date.now(),
    instanceId: config.instanceId,
    outer: {
      metrics: setup.accounting.metrics.httpMiddleware,
      streamStall: streamStallGuard({
        stallMs: config.STREAM_STALL_TIMEOUT_MS,
        onStall: (path) => logger.warn({ path }, 'client stopped reading its stream: run aborted'),
      }),
    },
    corsOrigins: config.CORS_ORIGINS,
    guards: {
      hostOrigin: hostOriginGuard({
        keyless: async () => !config.AUTH_DISABLED && !(await hasAnyKeyOrUnknown(setup.authenticator)),
        allowedOrigins: config.CORS_ORIGINS,
      }),
      drain: setup.drain.middleware(),
      apiKey: requireApiKey(setup.authenticator, setup.tickets),
      jsonBody: jsonBodyGuard({ maxDepth: config.MAX_JSON_DEPTH }),
      accounting: accountRequests({
        beginRequest: setup.accounting.beginRequest,
        onFinished: (request) => setup.accounting.onFinished(request),
      }),
    },
    rootRoutes: [
      readyRoutes({
        probeClaudeCode: () => engine.probeClaudeCode(),
        // A closed store is not writable whatever the last probe said.
        storeWritable: async () => store.isOpen && (await storeProbe()),
        ...(setup.redisReachable ? { limitsReachable: setup.redisReachable } : {}),
        hasCredentials: () => engine.hasCredentials(),
        credentialsHelp: CREDENTIALS_HELP,
        draining: () => setup.drain.draining,
      }),
      metricsRoutes(setup.accounting.metrics.registry, { token: config.METRICS_TOKEN }),
      accountsRoutes({
        router: setup.accounts,
        usageSince: (from) => store.audit.usageByAccount(from, Date.now() + 1),
      }),
      setup.webConsole,
    ],
    apiRoutes: [usageRoutes(store.audit)],
    apiDocs: {
      version: GATEWAY_VERSION,
      routes: (document) => apiDocsRoutes(document, loadSwaggerUiAssets()),
    },
  });
}

/** Whether keys exist; when the store cannot say (closed during shutdown), assume the strict answer. */
async function hasAnyKeyOrUnknown(authenticator: Authenticator): Promise<boolean> {
  try {
    return await authenticator.hasAnyKey();
  } catch {
    return false;
  }
}
