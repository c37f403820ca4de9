import { randomBytes, randomUUID } from 'node:crypto';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { startup } from '@anthropic-ai/claude-agent-sdk';
import { upgradeWebSocket } from '@hono/node-server';
import type { Logger } from 'pino';
import { WebSocketServer } from 'ws';
import type { Config } from '../config.js';
import { consoleData } from '../console/console-data.js';
import { consoleRoutes } from '../console/console-routes.js';
import { packageRoot } from '../console/package-root.js';
import { sessionTokens } from '../console/session-token.js';
import { storeUnavailable } from '../contract/auth-errors.js';
import type { FinishedRequest } from '../contract/finished-request.js';
import type { Principal } from '../contract/key-policy.js';
import type { ConversationIndex, EvictedSession } from '../contract/ports/conversations.js';
import type { RunPlan } from '../contract/run-plan.js';
import { auditRecorder } from '../core/accounting/audit-recorder.js';
import { toRequestSummary } from '../core/accounting/request-summary.js';
import { createTurnAccounting } from '../core/accounting/turn-accounting.js';
import { createKeyAdmission } from '../core/admission/key-admission.js';
import { KeyConcurrency } from '../core/admission/key-concurrency.js';
import { loadProfiles } from '../core/admission/profiles.js';
import { sharedKeyConcurrency, sharedRateLimitStore } from '../core/admission/shared-key-limits.js';
import { agentPolicyFromConfig, createAgentResolver } from '../core/agent-policy.js';
import { type Authenticator, createAuthenticator } from '../core/authenticator.js';
import { createRemoteImageResolver } from '../core/images/resolve-remote-images.js';
import { createGuardedFetch } from '../core/images/ssrf-guard.js';
import { createModelCatalog } from '../core/model-catalog.js';
import { RunQueue } from '../core/run-queue.js';
import { createRunService } from '../core/run-service.js';
import { diskUsage } from '../core/sessions/disk-budget.js';
import { createSessionStore } from '../core/sessions/session-store.js';
import {
  endedEverywhere,
  mirrorTranscripts,
  sharedConversations,
  startSharedSweep,
} from '../core/sessions/shared-conversations.js';
import { THIRD_PARTY_REJECTED_CODE, trackThirdPartyRejections } from '../core/third-party-rejection.js';
import { agentOptions } from '../engine/options/agent-options.js';
import { clientToolOptions } from '../engine/options/client-tool-options.js';
import { buildChildEnv } from '../engine/processes/child-env.js';
import { CREDENTIALS_HELP, findClaudeCredentials } from '../engine/processes/credentials.js';
import {
  bundledExecutablePath,
  type ExecutableProbe,
  probeExecutable,
} from '../engine/processes/executable.js';
import { ProcessRegistry } from '../engine/processes/process-registry.js';
import { startTempSweeper } from '../engine/processes/temp-sweeper.js';
import { type ClaudeRunnerDeps, createClaudeRunner, plannedOptions } from '../engine/runner.js';
import { removeAllSessions, removeSession, sessionPaths } from '../engine/transcript.js';
import { createWarmProcesses, type WarmProcesses } from '../engine/warm/warm-processes.js';
import { DrainSwitch } from '../http/drain.js';
import { hostOriginGuard } from '../http/host-origin-guard.js';
import { jsonBodyGuard } from '../http/json-body-guard.js';
import { accountRequests } from '../http/request-accounting.js';
import { RPM_WINDOW_MS, requestsPerMinute } from '../http/requests-per-minute.js';
import type { TrustedCallerEnv } from '../http/require-api-key.js';
import { requireApiKey } from '../http/require-api-key.js';
import { streamStallGuard } from '../http/stream-stall-guard.js';
import { apiDocsRoutes } from '../ops/api-docs-route.js';
import { createGatewayMetrics, type GatewayMetrics } from '../ops/gateway-metrics.js';
import { metricsRoutes } from '../ops/metrics-route.js';
import { readyRoutes } from '../ops/ready-route.js';
import { loadSwaggerUiAssets } from '../ops/swagger-ui-assets.js';
import { usageRoutes } from '../ops/usage-route.js';
import { claudeHomeCatalog } from '../services/tasks/claude-home.js';
import { prepareSkillsPlugin } from '../services/tasks/skills-plugin.js';
import { templateLibrary } from '../services/templates/template-library.js';
import { storeLocation } from '../store/engine.js';
import { type GatewayStore, openGatewayStore } from '../store/gateway-store.js';
import { postgresTaskSignals } from '../store/postgres-task-signals.js';
import { type RecentSpend, recentSpend } from '../store/recent-spend.js';
import { redisConcurrency } from '../store/redis/redis-concurrency.js';
import { connectRedis, redisAnswers } from '../store/redis/redis-connection.js';
import { redisRateWindow } from '../store/redis/redis-rate-window.js';
import { anthropicMessagesSurface } from '../surfaces/anthropic-messages/surface.js';
import { createCl100kCounter } from '../surfaces/anthropic-messages/token-counter.js';
import { createNativeSurface } from '../surfaces/native/create-native-surface.js';
import { selectProtocol } from '../surfaces/native/ws-tickets.js';
import { renderOpenAIError } from '../surfaces/openai/openai-error.js';
import { noCapabilitySurface } from '../surfaces/openai/surface.js';
import { chatCompletionRequestSchema } from '../surfaces/openai-chat/schema.js';
import { openAIChatSurface } from '../surfaces/openai-chat/surface.js';
import { type ToClaudeContext, toRunPlan } from '../surfaces/openai-chat/to-plan.js';
import { completionsSurface } from '../surfaces/openai-completions/surface.js';
import { openAIResponsesSurface } from '../surfaces/openai-responses/surface.js';
import { tasksSurface } from '../surfaces/tasks/surface.js';
import { createTaskService } from '../surfaces/tasks/task-service.js';
import { cachedProbe } from '../util/cached-probe.js';

import { GATEWAY_VERSION } from '../version.js';
import { createApp } from './create-app.js';

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
  /** Ends every Claude Code process the gateway started, then closes the store. */
  shutdown(): Promise<void>;
}

const PROBE_TTL_MS = 60_000;
/** How stale a key's spend from its authentication lookup may be for the budget check to reuse it. */
const SPEND_READING_MAX_AGE_MS = 1_000;

/** Builds the whole gateway from validated config; the only place that wires dependencies. */
export async function createGateway(
  config: Config,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Promise<Gateway> {
  // Per instance (config.instanceDir): with several gateways on one DATA_DIR, each cleans only its
  // own. The workspace stays shared: its path is part of the key transcripts are mirrored under.
  const claudeConfigDir = env.CLAUDE_CONFIG_DIR ?? path.join(config.instanceDir, 'claude');
  // Claude Code's temp files (copies of a persisted session's images among them) stay in the data
  // dir, where evicting a session can delete them; Claude Code wants this directory private.
  const claudeTmpDir = env.CLAUDE_CODE_TMPDIR ?? path.join(config.instanceDir, 'claude-tmp');
  const sessionDirs = { configDir: claudeConfigDir, tmpDir: claudeTmpDir };
  await mkdir(config.workspaceDir, { recursive: true });
  await mkdir(claudeConfigDir, { recursive: true });
  // Nothing runs yet, and conversation sessions are tracked in memory only (or, on a shared
  // database, held by the store): whatever an earlier gateway process left in its own temp dir and
  // workspace sessions can never be used again.
  if (env.CLAUDE_CODE_TMPDIR === undefined) await rm(claudeTmpDir, { recursive: true, force: true });
  await mkdir(claudeTmpDir, { recursive: true, mode: 0o700 });
  await removeAllSessions(sessionDirs, config.workspaceDir);
  const tempSweeper = startTempSweeper({
    dir: path.join(claudeTmpDir, `claude-${process.getuid?.() ?? 0}`),
    prefixes: ['fswatch-probe-'],
    maxAgeMs: 10 * 60_000,
    intervalMs: 10 * 60_000,
  });

  // Keys, audit, limits and (on a shared database) conversations; migrated before anything runs.
  const store = await openGatewayStore(
    storeLocation({ databaseUrl: config.DATABASE_URL, storePath: config.storePath }),
    {
      onPoolError: (err) => logger.warn({ err }, 'database connection lost; it is replaced on next use'),
      instanceId: config.instanceId,
    },
  );
  // On PostgreSQL, state several gateways must agree on lives there (docs/scale-out.md).
  const sharedState = store.engine === 'postgres';
  // This gateway process among those sharing state (INSTANCE_ID may repeat across restarts).
  const processTag = `${config.instanceId}-${process.pid}-${randomUUID().slice(0, 8)}`;

  const processes = new ProcessRegistry({
    killGraceMs: config.KILL_GRACE_MS,
    onSpawn: (pid) => logger.debug({ pid }, 'claude code started'),
    onExit: (pid) => logger.debug({ pid }, 'claude code exited'),
  });
  const queue = new RunQueue({
    maxConcurrent: config.MAX_CONCURRENCY,
    maxWaiting: config.MAX_QUEUE,
    waitTimeoutMs: config.QUEUE_TIMEOUT_MS,
  });
  const models = createModelCatalog(config.MODELS, config.MODEL_ALIASES);
  const executablePath = config.CLAUDE_PATH;
  const warm = createWarmProcesses({
    settings: {
      maxProcesses: config.MAX_CONCURRENCY,
      spares: config.WARM_SPARES,
      // WARM_SPARES=0 keeps no spares at all, however busy.
      sparesMax: config.WARM_SPARES === 0 ? 0 : config.WARM_SPARES_MAX,
      openSpares: config.WARM_OPEN_SPARES,
      // On a shared database the shared index names tracked conversations, not a rebuild spare.
      rebuildSpares: config.WARM_REBUILD_SPARES && !(sharedState && config.SESSION_MAX_COUNT > 0),
      demandWindowMs: config.WARM_SPARES_WINDOW_MS,
      hotSessionsMax: config.HOT_SESSIONS_MAX,
      hotSessionIdleMs: config.HOT_SESSION_IDLE_MS,
    },
    processes,
    queue,
    startup,
    logger,
  });
  const runnerDeps: ClaudeRunnerDeps = {
    ...warm.runnerDeps,
    executablePath,
    env: {
      ...buildChildEnv(env, {
        configDir: claudeConfigDir,
        maxRetries: config.CLAUDE_MAX_RETRIES,
        apiTimeoutMs: config.CLAUDE_API_TIMEOUT_MS,
        clientApp: `claude-gateway/${GATEWAY_VERSION}`,
      }),
      CLAUDE_CODE_TMPDIR: claudeTmpDir,
    },
    workspaceDir: config.workspaceDir,
    configDir: claudeConfigDir,
    processes,
    // Tracked sessions are mirrored to the shared store, so another gateway can resume them.
    optionExtenders: [
      agentOptions,
      clientToolOptions,
      ...(sharedState ? [mirrorTranscripts(store.transcripts)] : []),
    ],
  };
  const runner = createClaudeRunner(runnerDeps);
  // A new tracked conversation is named after a pre-started process that fits its run (Claude Code
  // takes the session id at launch); a rebuilt history after one pre-spawned to resume that id (its
  // transcript is written under it before the process reads it).
  const promiseSessionId = (plan: RunPlan): string | undefined =>
    plan.history.length > 0
      ? warm.promiseRebuildId()
      : warm.promiseSessionId(
          plannedOptions({ ...plan, session: { id: randomUUID(), continues: false } }, runnerDeps),
        );
  // Looked up again on every /ready, so logging in (or mounting credentials) needs no restart.
  const hasCredentials = () => findClaudeCredentials(runnerDeps.env, claudeConfigDir).source !== null;
  warnWithoutCredentials(runnerDeps.env, claudeConfigDir, logger);
  const localSessions =
    config.SESSION_MAX_COUNT > 0 && !sharedState
      ? createSessionStore({
          ttlMs: config.SESSION_TTL_MS,
          maxCount: config.SESSION_MAX_COUNT,
          defaultCwd: config.workspaceDir,
          removeSession: (session) => removeSession(sessionDirs, session.cwd, session.id),
          // A new conversation takes a ready spare's session id, so that spare can serve its first turn.
          newId: (plan) => promiseSessionId(plan) ?? randomUUID(),
          onEvict: (id) => warm.forgetSession(id),
          maxBytes: config.SESSION_DISK_BUDGET_BYTES,
          measure: async (session) => diskUsage(await sessionPaths(sessionDirs, session.cwd, session.id)),
        })
      : undefined;
  // Shared: any gateway continues a conversation from the database (index + transcript mirror).
  const tracksShared = config.SESSION_MAX_COUNT > 0 && sharedState;
  // What this gateway keeps of a session ended for good: its local transcript copy and any process.
  const dropLocally = (sessions: EvictedSession[]) => {
    for (const session of sessions) {
      warm.forgetSession(session.id);
      removeSession(sessionDirs, session.cwd, session.id).catch(() => undefined);
    }
  };
  // ...and every other gateway's, told through the database.
  const endedConversations =
    tracksShared && store.notifications
      ? endedEverywhere(store.notifications, processTag, dropLocally, logger)
      : undefined;
  const sharedIndex = tracksShared
    ? store.sessionIndex({
        ttlMs: config.SESSION_TTL_MS,
        maxCount: config.SESSION_MAX_COUNT,
        claimTtlMs: config.REQUEST_TIMEOUT_MS + 60_000,
        defaultCwd: config.workspaceDir,
        onEvict: (evicted) => (endedConversations ? endedConversations.ended(evicted) : dropLocally(evicted)),
      })
    : undefined;
  const stopSharedSweep = sharedIndex ? startSharedSweep(sharedIndex, 60_000, logger) : () => {};
  const sessions: ConversationIndex | undefined = sharedIndex
    ? sharedConversations(sharedIndex, logger)
    : localSessions;
  const agentPolicy = config.AGENT_MODE ? agentPolicyFromConfig(config) : undefined;
  const planContext: ToClaudeContext = {
    models,
    systemPromptPlacement: config.SYSTEM_PROMPT_PLACEMENT,
    maxImageBytes: config.MAX_IMAGE_BYTES,
    remoteImages: config.REMOTE_IMAGES,
    ...(agentPolicy ? { resolveAgent: createAgentResolver(agentPolicy) } : {}),
  };
  // Key policy (admission): every run of every surface is admitted once by the run service.
  // The budget check reuses the spend the key lookup of the same request read (one read less).
  const spend = recentSpend(store.keys, { maxAgeMs: SPEND_READING_MAX_AGE_MS });
  const { rpm, leases, concurrency, spentUsd, redis, redisReachable } = keyLimits(
    config,
    store,
    spend,
    processTag,
    logger,
  );
  const runs = createRunService({
    runner,
    queue,
    admit: createKeyAdmission({ countRequest: rpm.countRequest, concurrency, spentUsd }),
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    ...(sessions ? { sessions } : {}),
    ...(config.REMOTE_IMAGES
      ? {
          resolveRemoteImages: createRemoteImageResolver({
            maxBytes: config.MAX_IMAGE_BYTES,
            timeoutMs: config.REMOTE_IMAGE_TIMEOUT_MS,
            maxRedirects: config.REMOTE_IMAGE_MAX_REDIRECTS,
            fetch: createGuardedFetch({ allowedHosts: config.REMOTE_IMAGE_ALLOWED_HOSTS }),
          }),
        }
      : {}),
  });
  // Spares start with exactly the options of a new plain conversation on the first served model.
  const plainChat = toRunPlan(
    chatCompletionRequestSchema.parse({ model: models.ids[0], messages: [{ role: 'user', content: '.' }] }),
    planContext,
  );
  if (sessions) plainChat.session = { id: randomUUID(), continues: false };
  warm.pool.prime(plannedOptions(plainChat, runnerDeps));

  let probe: { at: number; result: Promise<ExecutableProbe> } | undefined;
  const probeClaudeCode = () => {
    if (!probe || Date.now() - probe.at > PROBE_TTL_MS) {
      probe = { at: Date.now(), result: probeExecutable(executablePath ?? bundledExecutablePath()) };
    }
    return probe.result;
  };

  // Exposure: keys, per-key policy, audit, metrics, probes and docs (the store is opened above).
  const authenticator = createAuthenticator({
    envKeys: config.GATEWAY_API_KEYS,
    adminKey: config.GATEWAY_ADMIN_KEY,
    keys: spend.keys,
    disabled: config.AUTH_DISABLED,
  });
  const metrics = createGatewayMetrics({
    liveProcesses: () => processes.liveCount,
    queueRunning: () => queue.running,
    queueWaiting: () => queue.waiting,
  });
  const thirdPartyRejections = trackThirdPartyRejections();
  const drain = new DrainSwitch();
  const recordAudit = auditRecorder(store.audit, {
    includePrompts: config.AUDIT_PROMPTS,
    logger,
    isOpen: () => store.isOpen,
  });
  const onFinished = async (request: FinishedRequest) => {
    if (request.errorCode === THIRD_PARTY_REJECTED_CODE) thirdPartyRejections.record();
    metrics.observeRequest(request);
    await recordAudit.record(request);
  };
  const requestAccounting = accountRequests({ requestsPerMinute: rpm.middleware, onFinished });

  const native = createNativeSurface({
    store: store.nativeSessions,
    runService: runs,
    models,
    systemPromptPlacement: config.SYSTEM_PROMPT_PLACEMENT,
    ...(agentPolicy ? { agentPolicy } : {}),
    ttlMs: config.SESSION_TTL_MS,
    maxPerKey: config.NATIVE_SESSIONS_PER_KEY,
    maxTotal: config.NATIVE_SESSIONS_MAX,
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    keepAliveMs: 15_000,
    // A deleted session's Claude Code conversation ends at once, on one machine or on every gateway.
    ...(localSessions
      ? { endConversation: (origin) => localSessions.endConversation(origin) }
      : sharedIndex
        ? {
            endConversation: async (origin) => {
              await sharedIndex.endConversation(origin);
            },
          }
        : {}),
    recordTurn: createTurnAccounting({ onFinished }),
    rateLimitOf: rpm.peek,
    upgradeWebSocket,
    version: GATEWAY_VERSION,
  });

  // Agentic tasks: a task left running by an earlier gateway process never finishes.
  const profiles = loadProfiles(config.PROFILES_FILE);
  const stoppedReason = 'The gateway stopped while this task was running.';
  await store.tasks.failRunning(
    { status: 'failed', error: { code: 'gateway_stopped', message: stoppedReason } },
    Date.now(),
  );
  // On a shared database a task's live events and its cancel reach every gateway (LISTEN/NOTIFY).
  const taskSignals = store.notifications ? postgresTaskSignals(store.notifications) : undefined;
  const tasks = createTaskService({
    runs,
    store: store.tasks,
    ...(taskSignals ? { signals: taskSignals } : {}),
  });
  const claudeHome = config.CLAUDE_HOME ? path.resolve(config.CLAUDE_HOME) : undefined;
  const home = claudeHome
    ? claudeHomeCatalog(claudeHome, (file, reason) =>
        logger.warn({ file, reason }, 'CLAUDE_HOME file skipped'),
      )
    : undefined;
  const skillsPluginDir = claudeHome
    ? await prepareSkillsPlugin(claudeHome, path.join(config.dataDir, 'claude-home-plugin'))
    : undefined;

  const templates = templateLibrary(
    config.TEMPLATES_DIR ? path.resolve(config.TEMPLATES_DIR) : path.join(packageRoot(), 'templates'),
    (file, reason) => logger.warn({ file, reason }, 'template skipped'),
  );
  const defaultModel = models.ids[0] ?? 'sonnet';

  const storeProbe = cachedProbe(() => store.probeWritable(), config.READY_CACHE_MS);
  const consoleAssetsDir = path.join(packageRoot(), 'dist', 'console');
  let appFetch: ((request: Request, env: TrustedCallerEnv) => Response | Promise<Response>) | undefined;
  const webConsole = consoleRoutes({
    data: consoleData(store),
    tokens: sessionTokens(
      config.CONSOLE_SESSION_SECRET ? Buffer.from(config.CONSOLE_SESSION_SECRET) : randomBytes(32),
      config.CONSOLE_SESSION_TTL_MS,
    ),
    authenticate: (key) => authenticator.authenticate(key),
    envAdminKey: config.GATEWAY_ADMIN_KEY !== undefined,
    live: () => ({
      running: queue.running,
      waiting: queue.waiting,
      processes: processes.liveCount,
      warmSpares: warm.pool.idleCount,
      hotConversations: warm.hot.idleCount,
    }),
    models: models.ids,
    playgroundSurfaces: ['openai-chat', 'openai-responses', 'anthropic-messages'],
    cancelTask: (taskId) => tasks.cancel(taskId),
    fetchApi: async (request, principal) => {
      if (!appFetch) throw new Error('the console was used before the app was built');
      return appFetch(request, { trustedPrincipal: principal });
    },
    assetsDir: consoleAssetsDir,
    livePushMs: 2_000,
    now: Date.now,
  });

  const app = createApp({
    logger,
    // One line per wire surface: its routes and the renderer of errors under its paths.
    surfaces: [
      openAIChatSurface({ runs, planContext, keepAliveMs: 15_000 }),
      anthropicMessagesSurface({
        runs,
        planContext: {
          models,
          systemPromptPlacement: config.SYSTEM_PROMPT_PLACEMENT,
          attachments: { maxBytes: config.MAX_IMAGE_BYTES, remoteImages: config.REMOTE_IMAGES },
        },
        countTokens: createCl100kCounter(),
        keepAliveMs: 15_000,
      }),
      completionsSurface({ runs, planContext: { models }, keepAliveMs: 15_000 }),
      noCapabilitySurface(),
      openAIResponsesSurface({
        runs,
        store: store.responses,
        resolveModel: (model) => models.resolve(model),
        systemPromptPlacement: config.SYSTEM_PROMPT_PLACEMENT,
        attachments: { maxBytes: config.MAX_IMAGE_BYTES, remoteImages: config.REMOTE_IMAGES },
        ttlMs: config.SESSION_TTL_MS,
        keepAliveMs: 15_000,
        onStoreError: (err) => logger.warn({ err }, 'storing a response failed'),
      }),
      native.surface,
      tasksSurface({
        tasks,
        store: store.tasks,
        templates,
        generation: { runs, models, defaultModel },
        requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
        envAllowlist: config.EXECUTE_ENV_ALLOWLIST,
        planContext: {
          models,
          defaultModel,
          ...(agentPolicy ? { agentPolicy } : {}),
          requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
        },
        profiles,
        ...(home ? { home } : {}),
        ...(skillsPluginDir ? { skillsPluginDir } : {}),
        keepAliveMs: 15_000,
        // A task is bounded by REQUEST_TIMEOUT_MS at most; following it elsewhere stops a minute later.
        ...(taskSignals
          ? { remoteTasks: { signals: taskSignals, maxFollowMs: config.REQUEST_TIMEOUT_MS + 60_000 } }
          : {}),
        onBackgroundSummary: (principal, requestId, summary) => {
          const finished: FinishedRequest = {
            principal,
            requestId,
            method: 'POST',
            path: '/api/v1/tasks',
            body: undefined,
            stream: false,
            status: summary.error?.status ?? 200,
            errorCode: summary.error?.code ?? null,
            summary: toRequestSummary(summary),
            durationMs: summary.durationMs,
          };
          metrics.observeRequest(finished);
          // Never rejects: the recorder buffers and retries a row the store cannot take now.
          void recordAudit.record(finished);
        },
      }),
    ],
    defaultErrorRenderer: renderOpenAIError,
    models,
    health: {
      probeClaudeCode,
      version: GATEWAY_VERSION,
      upstreamNotices: () => ({ third_party_rejections: thirdPartyRejections.snapshot() }),
    },
    maxBodyBytes: config.MAX_BODY_BYTES,
    startedAt: Date.now(),
    outerMiddleware: [
      metrics.httpMiddleware,
      streamStallGuard({
        stallMs: config.STREAM_STALL_TIMEOUT_MS,
        onStall: (path) => logger.warn({ path }, 'client stopped reading its stream: run aborted'),
      }),
    ],
    corsOrigins: config.CORS_ORIGINS,
    guardMiddleware: [
      hostOriginGuard({
        keyless: async () => !config.AUTH_DISABLED && !(await hasAnyKeyOrUnknown(authenticator)),
        allowedOrigins: config.CORS_ORIGINS,
      }),
      drain.middleware(),
      native.ticketAuth,
      requireApiKey(authenticator),
      jsonBodyGuard({ maxDepth: config.MAX_JSON_DEPTH }),
      native.rateLimitHeaders,
      requestAccounting,
    ],
    rootRoutes: [
      readyRoutes({
        probeClaudeCode,
        // A closed store is not writable whatever the last probe said.
        storeWritable: async () => store.isOpen && (await storeProbe()),
        ...(redisReachable ? { limitsReachable: redisReachable } : {}),
        hasCredentials,
        credentialsHelp: CREDENTIALS_HELP,
        draining: () => drain.draining,
      }),
      metricsRoutes(metrics.registry, { token: config.METRICS_TOKEN }),
      webConsole,
    ],
    apiRoutes: [usageRoutes(store.audit)],
    apiDocs: {
      version: GATEWAY_VERSION,
      routes: (document) => apiDocsRoutes(document, loadSwaggerUiAssets()),
    },
  });
  appFetch = (request, env) => app.fetch(request, env);
  // Upgrades are routed through the app (auth, then the route); only our subprotocol is ever
  // selected, so a ticket offered next to it is never echoed back.
  const websocketServer = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => selectProtocol(protocols),
  });
  return {
    app,
    processes,
    websocket: { server: websocketServer },
    queue,
    store,
    authenticator,
    metrics,
    beginDrain: () => {
      drain.begin();
      // No new runs will come: stop refilling spares and end idle processes now.
      void warm.close();
    },
    warm,
    async shutdown() {
      tempSweeper.stop();
      await tasks.stopAll(stoppedReason);
      native.sessions.abortAll();
      for (const client of websocketServer.clients) client.terminate();
      websocketServer.close();
      await warm.close();
      await processes.terminateAll();
      stopSharedSweep();
      endedConversations?.stop();
      await localSessions?.close();
      rpm.close();
      await recordAudit.flush();
      recordAudit.close();
      await leases?.close().catch((err: unknown) => logger.warn({ err }, 'run leases not released'));
      redis?.disconnect();
      await store.close();
    },
  };
}

/**
 * Where a key's limits are counted: in memory for one gateway; with REDIS_URL, rpm windows and run
 * slots in Redis; else on a shared database (PostgreSQL) there. Spend is always in the store. So N
 * gateways enforce one limit.
 */
function keyLimits(
  config: Config,
  store: GatewayStore,
  spend: RecentSpend,
  processTag: string,
  logger: Logger,
) {
  const sharedState = store.engine === 'postgres';
  const redis = config.REDIS_URL
    ? connectRedis(config.REDIS_URL, {
        onError: (err) => logger.warn({ err }, 'redis connection failed; limits answer 503 until it is back'),
      })
    : undefined;
  const sharedWindow = redis
    ? redisRateWindow(redis, RPM_WINDOW_MS)
    : sharedState
      ? store.rateWindow(RPM_WINDOW_MS)
      : undefined;
  const rpm = requestsPerMinute(Date.now, sharedWindow ? sharedRateLimitStore(sharedWindow) : undefined);
  const leases = redis
    ? redisConcurrency(redis, {
        onRefreshError: (err) => logger.warn({ err }, 'run slot not refreshed in redis'),
        onLeaseLost: (err) => logger.warn({ err }, 'run slot expired in redis before its run ended'),
      })
    : sharedState
      ? store.concurrency({
          instanceId: processTag,
          onRenewError: (err) => logger.warn({ err }, 'run leases not renewed'),
        })
      : undefined;
  // /ready fails while Redis does not answer, as it does when the store does not.
  const redisReachable = redis ? cachedProbe(() => redisAnswers(redis), config.READY_CACHE_MS) : undefined;
  // One count of running runs per key, whatever surface or transport they came in on.
  const concurrency = leases
    ? sharedKeyConcurrency(leases, (err) => logger.warn({ err }, 'run lease not released; it expires'))
    : new KeyConcurrency();
  const spentUsd = async (principal: Principal) => {
    // A key without a budget needs no read (the check passes whatever the spend).
    if (principal.source !== 'store' || principal.policy.budgetUsd === undefined) return 0;
    // Read per run from the store every instance charges (or taken from the key lookup that just
    // read it), so budgets hold across instances.
    return spend.spentUsd(principal.id).catch(() => {
      throw storeUnavailable();
    });
  };
  return { rpm, leases, concurrency, spentUsd, redis, redisReachable };
}

/** Whether keys exist; when the store cannot say (closed during shutdown), assume the strict answer. */
async function hasAnyKeyOrUnknown(authenticator: Authenticator): Promise<boolean> {
  try {
    return await authenticator.hasAnyKey();
  } catch {
    return false;
  }
}

/** The gateway starts either way (Claude Code is the judge), but says at once what is missing. */
function warnWithoutCredentials(env: Record<string, string>, configDir: string, logger: Logger): void {
  const { source } = findClaudeCredentials(env, configDir);
  if (source === null) {
    logger.warn(`Claude Code has no credentials: requests will fail until they are set. ${CREDENTIALS_HELP}`);
  } else {
    logger.info({ credentials: source }, 'Claude Code credentials found');
  }
}
