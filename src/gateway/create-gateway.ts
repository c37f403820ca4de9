import { randomUUID } from 'node:crypto';
import { realpath } from 'node:fs/promises';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { Config } from '../config.js';
import type { AccountPool } from '../contract/accounts.js';
import type { RunService } from '../contract/run-service.js';
import { StartupError } from '../contract/startup-error.js';
import { type AgentPolicy, agentPolicyFromConfig, createAgentResolver } from '../core/agent-policy.js';
import { type Authenticator, createAuthenticator } from '../core/authenticator.js';
import { claudeCodeAliases, createModelCatalog, type ModelCatalog } from '../core/model-catalog.js';
import { RunQueue } from '../core/run-queue.js';
import { createCl100kCounter } from '../core/tokens/token-counter.js';
import type { ProcessRegistry } from '../engine/processes/process-registry.js';
import { type ScrubRelay, startScrubRelay } from '../engine/upstream/scrub-relay.js';
import type { WarmProcesses } from '../engine/warm/warm-processes.js';
import { DrainSwitch } from '../http/drain.js';
import type { Surface } from '../http/surface.js';
import { createWsTickets, selectProtocol } from '../http/ws-tickets.js';
import type { GatewayMetrics } from '../ops/gateway-metrics.js';
import { describeStoreLocation, type StoreLocation, storeLocation } from '../store/engine.js';
import { type GatewayStore, openGatewayStore } from '../store/gateway-store.js';
import { recentSpend } from '../store/recent-spend.js';
import type { ToClaudeContext } from '../surfaces/openai/chat/to-plan.js';
import type { HeldLock } from '../util/pid-lock.js';
import { type Accounting, buildAccounting, closeInterruptedRuns } from './accounting.js';
import { buildAccounts, type GatewayAccounts, readAccountsFile } from './accounts.js';
import { buildApp } from './app.js';
import { type ClaudeDirs, prepareClaudeDirs } from './claude-dirs.js';
import { buildConversations, type Conversations } from './conversations.js';
import type { createApp } from './create-app.js';
import { buildEngine, type Engine } from './engine.js';
import { lockInstanceDir } from './instance-lock.js';
import { buildKeyLimits, type KeyLimits } from './key-limits.js';
import { buildNative, type Native } from './native.js';
import { buildResponses, type Responses } from './responses.js';
import { buildRunService, primeSpares } from './runs.js';
import { startupSummary } from './startup-summary.js';
import { buildTasks, type Tasks } from './tasks.js';
import { buildWebConsole } from './web-console.js';
import { buildWireSurfaces } from './wire-surfaces.js';

export interface Gateway {
  app: ReturnType<typeof createApp>;
  processes: ProcessRegistry;
  queue: RunQueue;
  /** API keys and the audit log. */
  store: GatewayStore;
  authenticator: Authenticator;
  metrics: GatewayMetrics;
  /** Pre-started spares and hot conversations. */
  warm: WarmProcesses;
  /** Give this to `serve({ websocket })`: WebSocket upgrades (the native API's /ws) go through the app. */
  websocket: { server: WebSocketServer };
  /** First step of a graceful stop: /ready turns 503 and new API requests get 503. */
  beginDrain(): void;
  /** The shutdown grace is over: every run still going (or queued) ends with `gateway_shutting_down`. */
  stopRuns(): void;
  /** Ends every Claude Code process the gateway started, then closes the store. */
  shutdown(): Promise<void>;
}

/** How stale a key's spend from its authentication lookup may be for the budget check to reuse it. */
const SPEND_READING_MAX_AGE_MS = 1_000;
/** Comment or ping frames on a silent stream, so proxies do not cut it. */
const KEEP_ALIVE_MS = 15_000;
/** How long a WebSocket ticket may wait to be offered: the page asks for it just before it connects. */
const WS_TICKET_TTL_MS = 30_000;

/** Builds the whole gateway from validated config; the only place that wires dependencies. */
export async function createGateway(
  config: Config,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Promise<Gateway> {
  const lock = await lockInstanceDir(config, logger);
  let core: GatewayCore;
  let front: GatewayFront;
  try {
    core = await buildCore(config, env, logger);
    front = await buildFront(core);
  } catch (error) {
    await lock.release();
    throw error;
  }
  logger.info(
    startupSummary({ store: core.storeLocation, accounts: core.engine.accounts(), surfaces: front.surfaces }),
    'claude-gateway started',
  );
  return gatewayHandle(core, front, lock);
}

/** Everything below HTTP: Claude Code processes, the store, conversations, limits, runs, accounting. */
interface GatewayCore {
  config: Config;
  logger: Logger;
  dirs: ClaudeDirs;
  storeLocation: StoreLocation;
  store: GatewayStore;
  queue: RunQueue;
  relay: ScrubRelay | undefined;
  engine: Engine;
  conversations: Conversations;
  models: ModelCatalog;
  agentPolicy: AgentPolicy | undefined;
  chatPlanContext: ToClaudeContext;
  limits: KeyLimits;
  accounts: GatewayAccounts;
  runs: RunService;
  authenticator: Authenticator;
  accounting: Accounting;
  /** Aborted by `stopRuns`: the runs' common stop signal. */
  stopping: AbortController;
}

async function buildCore(config: Config, env: NodeJS.ProcessEnv, logger: Logger): Promise<GatewayCore> {
  const pool = readAccountsFile(config, env, logger);
  const dirs = await prepareClaudeDirs(config, env);
  const location = storeLocation({ databaseUrl: config.DATABASE_URL, storePath: config.storePath });
  const store = await openStore(location, config, logger);
  await closeInterruptedRuns(store, logger);
  // This gateway process among those sharing state (INSTANCE_ID may repeat across restarts).
  const processTag = `${config.instanceId}-${process.pid}-${randomUUID().slice(0, 8)}`;
  const queue = new RunQueue({
    maxConcurrent: config.MAX_CONCURRENCY,
    maxWaiting: config.MAX_QUEUE,
    waitTimeoutMs: config.QUEUE_TIMEOUT_MS,
  });
  const relay = config.SCRUB_UPSTREAM_ENVIRONMENT
    ? await startRelay([config.dataDir, dirs.configDir, dirs.tmpDir], logger)
    : undefined;
  try {
    return await buildCoreOver({
      config,
      env,
      logger,
      dirs,
      location,
      store,
      processTag,
      queue,
      relay,
      pool,
    });
  } catch (error) {
    await relay?.close();
    throw error;
  }
}

type CoreBase = Pick<GatewayCore, 'config' | 'logger' | 'dirs' | 'store' | 'queue' | 'relay'> & {
  env: NodeJS.ProcessEnv;
  location: StoreLocation;
  processTag: string;
  pool: AccountPool;
};

/** The rest of the core, over what holds a resource (the store, the relay's port). */
async function buildCoreOver(base: CoreBase): Promise<GatewayCore> {
  const { config, env, logger, dirs, location, store, processTag, queue, relay, pool } = base;
  const sharedTranscripts = store.engine === 'postgres' ? store.transcripts : undefined;
  const engine = buildEngine({ config, env, dirs, queue, sharedTranscripts, pool, relay, logger });
  const conversations = buildConversations({ config, store, engine, dirs, processTag, logger });
  const models = createModelCatalog(config.MODELS, config.MODEL_ALIASES, claudeCodeAliases(env));
  const agentPolicy = config.AGENT_MODE ? agentPolicyFromConfig(config) : undefined;
  const chatPlanContext = chatContext(config, models, agentPolicy);
  // The budget check reuses the spend the key lookup of the same request read (one read less).
  const spend = recentSpend(store.keys, { maxAgeMs: SPEND_READING_MAX_AGE_MS });
  const limits = buildKeyLimits({ config, store, spend, processTag, models, logger });
  const accounts = buildAccounts({ config, pool, store, leases: limits.leases, engine, logger });
  const admit = limits.admit;
  const stopping = new AbortController();
  const runs = buildRunService({
    ...{ config, engine, queue, conversations: conversations.index, admit },
    stopping: stopping.signal,
    accounts: accounts.runs,
  });
  await accounts.prime();
  primeSpares(engine, models, config.SYSTEM_PROMPT_PLACEMENT, conversations.index !== undefined);
  const authenticator = createAuthenticator({
    envKeys: config.GATEWAY_API_KEYS,
    adminKey: config.GATEWAY_ADMIN_KEY,
    keys: spend.keys,
    disabled: config.AUTH_DISABLED,
  });
  const gauges = {
    liveProcesses: () => engine.processes.liveCount,
    queueRunning: () => queue.running,
    queueWaiting: () => queue.waiting,
    ...(pool.implicit ? {} : { accounts: () => accounts.router.view() }),
  };
  const accounting = buildAccounting({ config, store, gauges, logger });
  return {
    ...{ config, logger, dirs, storeLocation: location, store, queue, relay, engine, conversations, models },
    agentPolicy,
    ...{ chatPlanContext, limits, accounts, runs, authenticator, accounting, stopping },
  };
}

/** The HTTP side: surfaces, services with routes, the console, the app and its WebSocket server. */
interface GatewayFront {
  native: Native;
  /** Every surface the app serves. */
  surfaces: Surface[];
  tasks: Tasks;
  responses: Responses;
  drain: DrainSwitch;
  app: ReturnType<typeof createApp>;
  websocketServer: WebSocketServer;
}

async function buildFront(core: GatewayCore): Promise<GatewayFront> {
  const { config, store, runs, models, agentPolicy, accounting, logger } = core;
  const common = { config, store, runs, models, agentPolicy, keepAliveMs: KEEP_ALIVE_MS };
  const tickets = createWsTickets({ ttlMs: WS_TICKET_TTL_MS });
  const native = buildNative({
    ...common,
    conversations: core.conversations,
    tickets,
    beginRequest: accounting.beginRequest,
    onFinished: accounting.onFinished,
  });
  const tasks = await buildTasks({ ...common, backgroundRun: accounting.backgroundRun, logger });
  const countTokens = createCl100kCounter();
  const wire = buildWireSurfaces({ ...common, chatPlanContext: core.chatPlanContext, countTokens, logger });
  const responses = await buildResponses({
    ...common,
    countTokens,
    backgroundRun: accounting.backgroundRun,
    logger,
  });
  const late = lateBoundFetch();
  const webConsole = buildWebConsole({
    ...{ config, store, models, authenticator: core.authenticator, engine: core.engine, queue: core.queue },
    profiles: tasks.profiles,
    accounts: core.accounts.router,
    cancelTask: (taskId) => tasks.service.cancel(taskId),
    appFetch: late.fetch,
  });
  const drain = new DrainSwitch();
  const surfaces = [...wire, responses.surface, tasks.surface, native.surface];
  const app = buildApp({
    ...{ config, store, models, accounting, drain, tickets, webConsole, logger, surfaces },
    accounts: core.accounts.router,
    ...{ engine: core.engine, authenticator: core.authenticator, redisReachable: core.limits.redisReachable },
  });
  late.bind(app);
  // Upgrades are routed through the app (auth, then the route); only our subprotocol is ever
  // selected, so a ticket offered next to it is never echoed back.
  const websocketServer = new WebSocketServer({ noServer: true, handleProtocols: selectProtocol });
  return { native, surfaces, tasks, responses, drain, app, websocketServer };
}

/** What the server holds: the app, and a drain and shutdown that end everything in order. */
function gatewayHandle(core: GatewayCore, front: GatewayFront, lock: HeldLock): Gateway {
  const { engine } = core;
  return {
    app: front.app,
    store: core.store,
    queue: core.queue,
    authenticator: core.authenticator,
    metrics: core.accounting.metrics,
    processes: engine.processes,
    warm: engine.warm,
    websocket: { server: front.websocketServer },
    beginDrain: () => {
      front.drain.begin();
      // No new runs will come: stop refilling spares and end idle processes now.
      void engine.warm.close();
    },
    stopRuns: () => core.stopping.abort(),
    async shutdown() {
      core.dirs.stopSweeper();
      await front.tasks.stopAll();
      await front.responses.stopAll();
      front.native.sessions.abortAll();
      for (const client of front.websocketServer.clients) client.terminate();
      front.websocketServer.close();
      await engine.warm.close();
      await engine.processes.terminateAll();
      // After the processes: a run being torn down still reaches the API until its process ends.
      await core.relay?.close();
      await core.conversations.close();
      await core.accounting.close();
      await core.limits.close();
      await core.store.close();
      await lock.release();
    },
  };
}

/** The relay knows the gateway's directories as written and as resolved (Claude Code may name either). */
async function startRelay(own: string[], logger: Logger): Promise<ScrubRelay> {
  const resolved = await Promise.all(own.map((dir) => realpath(dir).catch(() => dir)));
  return startScrubRelay({ ownDirectories: [...new Set([...own, ...resolved])], logger });
}

/**
 * Keys, audit, limits and (on a shared database) conversations; migrated before anything runs. A
 * store that cannot be opened (a database that did not answer within DATABASE_CONNECT_WAIT_MS, a
 * file that cannot be written) stops the start with one line.
 */
async function openStore(location: StoreLocation, config: Config, logger: Logger): Promise<GatewayStore> {
  try {
    return await openGatewayStore(location, {
      onPoolError: (err) => logger.warn({ err }, 'database connection lost; it is replaced on next use'),
      instanceId: config.instanceId,
      connect: {
        waitMs: config.DATABASE_CONNECT_WAIT_MS,
        onRetry: (err) => logger.info({ reason: messageOf(err) }, 'waiting for the database to answer'),
      },
    });
  } catch (error) {
    throw new StartupError(
      `cannot open the store (${describeStoreLocation(location)}): ${messageOf(error)}`,
      {
        cause: error,
      },
    );
  }
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) return messageOf(error.errors[0]);
  return error instanceof Error && error.message ? error.message : String(error);
}

/** How the chat surface turns requests into plans. */
function chatContext(
  config: Config,
  models: ModelCatalog,
  agentPolicy: AgentPolicy | undefined,
): ToClaudeContext {
  return {
    models,
    systemPromptPlacement: config.SYSTEM_PROMPT_PLACEMENT,
    maxImageBytes: config.MAX_IMAGE_BYTES,
    remoteImages: config.REMOTE_IMAGES,
    ...(agentPolicy ? { resolveAgent: createAgentResolver(agentPolicy) } : {}),
  };
}

type AppFetch = ReturnType<typeof createApp>['fetch'];

/** The console calls the app it is part of: bound once the app is built. */
function lateBoundFetch(): { fetch: AppFetch; bind(app: { fetch: AppFetch }): void } {
  let target: AppFetch | undefined;
  return {
    fetch: (request, ...rest) => {
      if (!target) throw new Error('the console was used before the app was built');
      return target(request, ...rest);
    },
    bind: (app) => {
      target = (request, ...rest) => app.fetch(request, ...rest);
    },
  };
}
