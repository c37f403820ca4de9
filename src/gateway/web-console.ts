import { randomBytes } from 'node:crypto';
import type { OpenAPIHono } from '@hono/zod-openapi';
import type { Config } from '../config.js';
import { consoleData } from '../console/console-data.js';
import { consoleRoutes } from '../console/console-routes.js';
import { packageAsset } from '../console/package-root.js';
import { sessionTokens } from '../console/session-token.js';
import type { Principal } from '../contract/key-policy.js';
import { accountReport, startOfUtcDay } from '../core/accounts/account-report.js';
import type { AccountRouter } from '../core/accounts/account-router.js';
import type { ProfileCatalog } from '../core/admission/profiles.js';
import type { Authenticator } from '../core/authenticator.js';
import type { ModelCatalog } from '../core/model-catalog.js';
import type { RunQueue } from '../core/run-queue.js';
import type { TrustedCallerEnv } from '../http/require-api-key.js';
import type { GatewayStore } from '../store/gateway-store.js';
import type { Engine } from './engine.js';

export interface WebConsoleSetup {
  config: Config;
  store: GatewayStore;
  authenticator: Authenticator;
  engine: Engine;
  queue: RunQueue;
  models: ModelCatalog;
  /** The permission profiles a key may be made with. */
  profiles: ProfileCatalog;
  accounts: AccountRouter;
  cancelTask(taskId: string): Promise<boolean>;
  /** The app the console's playground and actions call, as the signed-in principal. */
  appFetch(request: Request, env: TrustedCallerEnv): Response | Promise<Response>;
}

/** The operator's web console: keys, usage, requests, sessions, tasks, live view, playground. */
export function buildWebConsole(setup: WebConsoleSetup): OpenAPIHono {
  const { config, engine, queue } = setup;
  return consoleRoutes({
    data: consoleData(setup.store),
    tokens: sessionTokens(
      config.CONSOLE_SESSION_SECRET ? Buffer.from(config.CONSOLE_SESSION_SECRET) : randomBytes(32),
      config.CONSOLE_SESSION_TTL_MS,
    ),
    authenticate: (key) => setup.authenticator.authenticate(key),
    envAdminKey: config.GATEWAY_ADMIN_KEY !== undefined,
    live: () => ({
      running: queue.running,
      waiting: queue.waiting,
      processes: engine.processes.liveCount,
      warmSpares: engine.warm.pool.idleCount,
      hotConversations: engine.warm.hot.idleCount,
    }),
    models: setup.models.ids,
    keySettings: { models: setup.models, profiles: setup.profiles },
    playgroundSurfaces: ['openai-chat', 'openai-responses', 'anthropic-messages'],
    cancelTask: (taskId) => setup.cancelTask(taskId),
    accounts: {
      report: async () => {
        const now = Date.now();
        const [views, rows] = await Promise.all([
          setup.accounts.view(),
          setup.store.audit.usageByAccount(startOfUtcDay(now), now + 1),
        ]);
        return accountReport(views, rows);
      },
      usage: (from, to) => setup.store.audit.usageByAccount(from, to),
      clear: (name) => setup.accounts.clear(name),
    },
    fetchApi: async (request: Request, principal: Principal) =>
      setup.appFetch(request, { trustedPrincipal: principal }),
    assetsDir: packageAsset('console'),
    livePushMs: 2_000,
    now: Date.now,
  });
}
