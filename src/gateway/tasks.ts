import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { packageAsset } from '../console/package-root.js';
import type { FinishedRequest } from '../contract/finished-request.js';
import type { TaskSignals } from '../contract/ports/tasks.js';
import type { RunService } from '../contract/run-service.js';
import { loadProfiles, type ProfileCatalog } from '../core/admission/profiles.js';
import type { AgentPolicy } from '../core/agent-policy.js';
import type { ModelCatalog } from '../core/model-catalog.js';
import type { Surface } from '../http/surface.js';
import { type ClaudeHomeCatalog, claudeHomeCatalog } from '../services/tasks/claude-home.js';
import { prepareSkillsPlugin } from '../services/tasks/skills-plugin.js';
import { createTaskService, type TaskService } from '../services/tasks/task-service.js';
import { type TemplateLibrary, templateLibrary } from '../services/templates/template-library.js';
import type { GatewayStore } from '../store/gateway-store.js';
import { postgresTaskSignals } from '../store/postgres-task-signals.js';
import { tasksSurface } from '../surfaces/tasks/surface.js';
import { backgroundRequest } from './accounting.js';

const STOPPED_REASON = 'The gateway stopped while this task was running.';

export interface TasksSetup {
  config: Config;
  store: GatewayStore;
  runs: RunService;
  models: ModelCatalog;
  agentPolicy: AgentPolicy | undefined;
  /** Where the audit row of a task that ran on without its client goes. */
  recordInBackground(request: FinishedRequest): void;
  keepAliveMs: number;
  logger: Logger;
}

/** Agentic tasks, the owner's agents and skills (CLAUDE_HOME), permission profiles and templates. */
export interface Tasks {
  service: TaskService;
  surface: Surface;
  /** Ends every running task, recorded as stopped with the gateway. */
  stopAll(): Promise<void>;
}

export async function buildTasks(setup: TasksSetup): Promise<Tasks> {
  const { config, store, logger } = setup;
  const profiles: ProfileCatalog = loadProfiles(config.PROFILES_FILE);
  // A task left running by an earlier gateway process never finishes.
  await store.tasks.failRunning(
    { status: 'failed', error: { code: 'gateway_stopped', message: STOPPED_REASON } },
    Date.now(),
  );
  // On a shared database a task's live events and its cancel reach every gateway (LISTEN/NOTIFY).
  const signals: TaskSignals | undefined = store.notifications
    ? postgresTaskSignals(store.notifications)
    : undefined;
  const { home, skillsPluginDir } = await loadClaudeHome(config, logger);
  const defaultModel = setup.models.ids[0] ?? 'sonnet';
  const service = createTaskService({
    runs: setup.runs,
    store: store.tasks,
    planContext: {
      models: setup.models,
      defaultModel,
      ...(setup.agentPolicy ? { agentPolicy: setup.agentPolicy } : {}),
      requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    },
    profiles,
    ...(home ? { home } : {}),
    ...(skillsPluginDir ? { skillsPluginDir } : {}),
    ...(signals ? { signals } : {}),
    // A task is bounded by REQUEST_TIMEOUT_MS at most; following it elsewhere stops a minute later.
    remoteFollow: { maxFollowMs: config.REQUEST_TIMEOUT_MS + 60_000 },
  });
  const surface = tasksSurface({
    tasks: service,
    templates: await loadTemplates(config, logger),
    generation: {
      runs: setup.runs,
      models: setup.models,
      defaultModel,
      profiles,
      requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    },
    defaultWorkingDirectory: setup.agentPolicy?.roots[0] ?? '',
    envAllowlist: config.EXECUTE_ENV_ALLOWLIST,
    keepAliveMs: setup.keepAliveMs,
    onBackgroundSummary: (principal, requestId, summary) =>
      setup.recordInBackground(backgroundRequest(principal, requestId, '/api/v1/tasks', summary)),
  });
  return { service, surface, stopAll: () => service.stopAll(STOPPED_REASON) };
}

/** The owner's agents and skills (CLAUDE_HOME), and the plugin folder serving the skills. */
async function loadClaudeHome(
  config: Config,
  logger: Logger,
): Promise<{ home?: ClaudeHomeCatalog; skillsPluginDir?: string }> {
  if (!config.CLAUDE_HOME) return {};
  const claudeHome = path.resolve(config.CLAUDE_HOME);
  return {
    home: claudeHomeCatalog(claudeHome, (file, reason) =>
      logger.warn({ file, reason }, 'CLAUDE_HOME file skipped'),
    ),
    skillsPluginDir: await prepareSkillsPlugin(claudeHome, path.join(config.dataDir, 'claude-home-plugin')),
  };
}

/** The prompt templates: TEMPLATES_DIR, or the ones the package ships; none at all is worth a warning. */
async function loadTemplates(config: Config, logger: Logger): Promise<TemplateLibrary> {
  const templatesDir = config.TEMPLATES_DIR ? path.resolve(config.TEMPLATES_DIR) : packageAsset('templates');
  const templates = templateLibrary(templatesDir, (file, reason) =>
    logger.warn({ file, reason }, 'template skipped'),
  );
  if ((await templates.list()).length === 0) {
    logger.warn(
      { dir: templatesDir },
      'no prompt templates: /api/v1/templates lists none and /api/generate/* answers 404 (the folder is missing or empty; set TEMPLATES_DIR)',
    );
  }
  return templates;
}
