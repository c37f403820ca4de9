import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { type SessionStore, startup } from '@anthropic-ai/claude-agent-sdk';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { Account, AccountPool } from '../contract/accounts.js';
import type { RunPlan } from '../contract/run-plan.js';
import type { RunQueue } from '../core/run-queue.js';
import { mirrorTranscripts } from '../core/sessions/shared-conversations.js';
import { agentOptions } from '../engine/options/agent-options.js';
import type { ClaudeLaunch } from '../engine/options/claude-launch.js';
import { clientToolOptions } from '../engine/options/client-tool-options.js';
import { createLaunchPlanner } from '../engine/options/plan-launch.js';
import { buildChildEnv } from '../engine/processes/child-env.js';
import { CREDENTIALS_HELP, findClaudeCredentials } from '../engine/processes/credentials.js';
import {
  bundledExecutablePath,
  type ExecutableProbe,
  probeExecutable,
} from '../engine/processes/executable.js';
import { ProcessRegistry } from '../engine/processes/process-registry.js';
import { type ClaudeRunner, createClaudeRunner } from '../engine/runner.js';
import { heldTranscripts } from '../engine/upstream/held-transcripts.js';
import { throughRelay } from '../engine/upstream/relay-env.js';
import type { ScrubRelay } from '../engine/upstream/scrub-relay.js';
import { createWarmProcesses, type WarmProcesses } from '../engine/warm/warm-processes.js';
import { GATEWAY_VERSION } from '../version.js';
import type { ClaudeDirs } from './claude-dirs.js';
import type { AccountSummary } from './startup-summary.js';

const PROBE_TTL_MS = 60_000;

export interface EngineSetup {
  config: Config;
  env: NodeJS.ProcessEnv;
  dirs: ClaudeDirs;
  queue: RunQueue;
  /** Transcripts mirrored to a database every gateway shares (PostgreSQL), or undefined. */
  sharedTranscripts: SessionStore | undefined;
  /** The Claude accounts processes run under (ACCOUNTS_FILE, or the gateway's own credentials). */
  pool: AccountPool;
  /** The relay Claude Code's API requests go through (SCRUB_UPSTREAM_ENVIRONMENT), or undefined. */
  relay: ScrubRelay | undefined;
  logger: Logger;
}

/** Claude Code processes: the registry, spares and hot conversations, and the runner over them. */
export interface Engine {
  processes: ProcessRegistry;
  warm: WarmProcesses;
  runner: ClaudeRunner;
  /** The launch of a run of this plan under the account spares follow (to prime spares). */
  plannedLaunch(plan: RunPlan): ClaudeLaunch;
  /**
   * The id for a new tracked conversation: a pre-started process that fits its run (Claude Code
   * takes the session id at launch), or for a rebuilt history one pre-spawned to resume that id
   * (its transcript is written under it before the process reads it).
   */
  promiseSessionId(plan: RunPlan): string | undefined;
  /** Looked up again on every call, so logging in (or mounting credentials) needs no restart. */
  hasCredentials(): boolean;
  /** The Claude accounts processes run under, by name and kind (or where the gateway's own come from). */
  accounts(): AccountSummary[];
  /**
   * Spares are started for this pooled account from now on (the one new conversations go to next);
   * undefined: the gateway's own credentials.
   */
  followAccount(account: Account | undefined): void;
  /** A pooled account cannot answer now: its spares and idle processes end. */
  releaseAccount(name: string): void;
  /** Whether Claude Code starts and which version it is (cached for a minute). */
  probeClaudeCode(): Promise<ExecutableProbe>;
}

export function buildEngine(setup: EngineSetup): Engine {
  const { config, dirs, logger } = setup;
  const processes = new ProcessRegistry({
    killGraceMs: config.KILL_GRACE_MS,
    onSpawn: (pid) => logger.debug({ pid }, 'claude code started'),
    onExit: (pid) => logger.debug({ pid }, 'claude code exited'),
  });
  const warm = createWarmProcesses({
    settings: {
      maxProcesses: config.MAX_CONCURRENCY,
      spares: config.WARM_SPARES,
      // WARM_SPARES=0 keeps no spares at all, however busy.
      sparesMax: config.WARM_SPARES === 0 ? 0 : config.WARM_SPARES_MAX,
      openSpares: config.WARM_OPEN_SPARES,
      rebuildSpares: config.WARM_REBUILD_SPARES,
      demandWindowMs: config.WARM_SPARES_WINDOW_MS,
      hotSessionsMax: config.HOT_SESSIONS_MAX,
      hotSessionIdleMs: config.HOT_SESSION_IDLE_MS,
    },
    processes,
    queue: setup.queue,
    startup,
    logger,
  });
  const env = {
    ...buildChildEnv(setup.env, {
      configDir: dirs.configDir,
      maxRetries: config.CLAUDE_MAX_RETRIES,
      apiTimeoutMs: config.CLAUDE_API_TIMEOUT_MS,
      clientApp: `claude-gateway/${GATEWAY_VERSION}`,
    }),
    CLAUDE_CODE_TMPDIR: dirs.tmpDir,
  };
  const { relay } = setup;
  const launches = createLaunchPlanner({
    executablePath: config.CLAUDE_PATH,
    env,
    workspaceDir: config.workspaceDir,
    awaitInitialize: warm.source.awaitsInitialize,
    // Tracked sessions are mirrored to the shared store, so another gateway can resume them.
    extenders: [
      agentOptions,
      clientToolOptions,
      ...(setup.sharedTranscripts
        ? [
            mirrorTranscripts(
              relay ? heldTranscripts(setup.sharedTranscripts, relay.holds) : setup.sharedTranscripts,
            ),
          ]
        : []),
    ],
    ...(relay
      ? { routeEnv: (childEnv: Record<string, string>) => throughRelay(childEnv, relay.baseUrlFor) }
      : {}),
  });
  const { pool } = setup;
  // Each pooled account was checked for credentials when its file was read.
  if (pool.implicit) warnWithoutCredentials(env, dirs.configDir, logger);
  let spareAccount: Account | undefined;
  let probe: { at: number; result: Promise<ExecutableProbe> } | undefined;
  return {
    processes,
    warm,
    runner: createClaudeRunner({
      configDir: dirs.configDir,
      launches,
      source: warm.source,
      // The relay can hold a turn's API requests: a turn may go ahead of its session's claim.
      ...(relay ? { holds: relay.holds } : {}),
    }),
    plannedLaunch: (plan) => launches.plan(plan, undefined, spareAccount),
    promiseSessionId: (plan) =>
      plan.history.length > 0
        ? warm.promiseRebuildId()
        : warm.promiseSessionId(
            launches.plan(
              { ...plan, session: { id: randomUUID(), continues: false } },
              undefined,
              spareAccount,
            ),
          ),
    hasCredentials: () => !pool.implicit || findClaudeCredentials(env, dirs.configDir).source !== null,
    accounts: () =>
      pool.implicit
        ? [{ label: describeCredentials(findClaudeCredentials(env, dirs.configDir).source) }]
        : pool.accounts.map((account) => ({ label: `${account.name} (${account.kind})` })),
    followAccount(account) {
      spareAccount = account;
      warm.followAccount((launch) => launches.underAccount(launch, account));
    },
    releaseAccount: (name) => warm.releaseAccount(name),
    probeClaudeCode() {
      if (!probe || Date.now() - probe.at > PROBE_TTL_MS) {
        probe = {
          at: Date.now(),
          result: probeExecutable(config.CLAUDE_PATH ?? bundledExecutablePath()),
        };
      }
      return probe.result;
    },
  };
}

/** The gateway starts either way (Claude Code is the judge), but says at once what is missing. */
function warnWithoutCredentials(env: Record<string, string>, configDir: string, logger: Logger): void {
  if (findClaudeCredentials(env, configDir).source === null) {
    logger.warn(`Claude Code has no credentials: requests will fail until they are set. ${CREDENTIALS_HELP}`);
  }
}

/** A variable's name or a file's path: where the credentials are, never what they are. */
function describeCredentials(source: string | null): string {
  if (source === null) return 'no credentials found';
  return path.isAbsolute(source)
    ? `credentials from ${source}`
    : `credentials from the environment (${source})`;
}
