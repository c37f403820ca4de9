import type { Options, WarmQuery } from '@anthropic-ai/claude-agent-sdk';
import type { Logger } from 'pino';
import type { ProcessRegistry } from '../claude/process-registry.js';
import type { ClaudeRunnerDeps } from '../claude/runner.js';
import { HotSessions } from './hot-sessions.js';
import { createProcessBudget } from './process-budget.js';
import { WarmPool } from './warm-pool.js';

export interface WarmProcessesSettings {
  maxProcesses: number;
  spares: number;
  hotSessionsMax: number;
  hotSessionIdleMs: number;
}

export interface WarmProcessesDeps {
  settings: WarmProcessesSettings;
  processes: ProcessRegistry;
  /** The run queue's view: leases held and requests waiting, and when a lease is released. */
  queue: { running: number; waiting: number; onSlotFreed(listener: () => void): void };
  startup: (params: { options: Options }) => Promise<WarmQuery>;
  logger: Pick<Logger, 'debug' | 'warn'>;
}

export interface WarmProcesses {
  pool: WarmPool;
  hot: HotSessions;
  /** What the runner needs to use spares and hot conversations. */
  runnerDeps: Pick<ClaudeRunnerDeps, 'warmPool' | 'hotSessions' | 'makeRoomForRun'>;
  /** A tracked session is gone for good: end whatever was kept for it. */
  forgetSession(sessionId: string): void;
  /** Ends spares and hot conversations and stops refilling; resolves once their processes are gone. */
  close(): Promise<void>;
}

/** Spares and hot conversations under one process budget (MAX_CONCURRENCY counts them too). */
export function createWarmProcesses(deps: WarmProcessesDeps): WarmProcesses {
  const { settings, queue } = deps;
  const holders: Array<WarmPool | HotSessions> = [];
  const budget = createProcessBudget({
    maxProcesses: settings.maxProcesses,
    runs: () => ({ running: queue.running, waiting: queue.waiting }),
    holders,
  });
  const pool = new WarmPool({
    size: settings.spares,
    processes: deps.processes,
    hasRoomForIdle: () => budget.hasRoomForIdle(),
    startup: deps.startup,
    logger: deps.logger,
  });
  const hot = new HotSessions({
    max: settings.hotSessionsMax,
    idleMs: settings.hotSessionIdleMs,
    // The conversation's run still holds its lease while it parks, so it takes no extra slot.
    canPark: () => queue.waiting === 0,
  });
  holders.push(pool, hot);
  queue.onSlotFreed(() => pool.fill());
  return {
    pool,
    hot,
    runnerDeps: {
      ...(settings.spares > 0 ? { warmPool: pool } : {}),
      ...(settings.hotSessionsMax > 0 ? { hotSessions: hot } : {}),
      makeRoomForRun: () => budget.makeRoomForRun(),
    },
    forgetSession(sessionId) {
      pool.forgetSession(sessionId);
      hot.forget(sessionId);
    },
    async close() {
      await Promise.all([pool.close(), hot.closeAll()]);
    },
  };
}
