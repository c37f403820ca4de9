import type { Options, WarmQuery } from '@anthropic-ai/claude-agent-sdk';
import type { Logger } from 'pino';
import type { ClaudeLaunch } from '../options/claude-launch.js';
import type { ProcessSource } from '../process-source.js';
import { createProcessBudget } from '../processes/process-budget.js';
import type { ProcessRegistry } from '../processes/process-registry.js';
import { HotSessions } from './hot-sessions.js';
import { OpenSpares } from './open-spares.js';
import { SpareDemand } from './spare-demand.js';
import { createStartYield } from './start-yield.js';
import { WarmPool } from './warm-pool.js';
import { createWarmSource } from './warm-source.js';

export interface WarmProcessesSettings {
  maxProcesses: number;
  /** Spares kept however quiet it is (WARM_SPARES); 0 with `sparesMax` 0 turns spares off. */
  spares: number;
  /** Spares kept at most when requests arrive faster than one spare can be replaced (WARM_SPARES_MAX). */
  sparesMax: number;
  /** Whether runs the warm pool cannot serve may take a process pre-spawned for any system prompt. */
  openSpares: boolean;
  /**
   * Whether rebuilt histories may take a process pre-spawned with `--resume` for an id their
   * transcript is then written under (needs `openSpares`: it relies on `--await-initialize`).
   */
  rebuildSpares?: boolean;
  /** How far back arrivals count when sizing the spares. */
  demandWindowMs?: number;
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
  open: OpenSpares;
  /** Processes pre-spawned for rebuilt histories (`--resume` with an id reserved for each). */
  rebuild: OpenSpares;
  hot: HotSessions;
  /** Where runs get their processes: kept ones, spares, or new ones under the process budget. */
  source: ProcessSource;
  /**
   * The id for a new tracked conversation whose run has this launch: a ready warm spare's when it
   * fits, else an open spare's, so a pre-started process can serve its first turn.
   */
  promiseSessionId(launch: ClaudeLaunch): string | undefined;
  /** The id for a tracked conversation rebuilt from its history: a rebuild spare's, when one is free. */
  promiseRebuildId(): string | undefined;
  /** A tracked session is gone for good: end whatever was kept for it. */
  forgetSession(sessionId: string): void;
  /**
   * Spares are started for `account` from now on (a pooled account; undefined: the gateway's own
   * credentials); `move` is a launch under it.
   */
  followAccount(move: (launch: ClaudeLaunch) => ClaudeLaunch): void;
  /**
   * A pooled account can serve nobody now (spent, refused): its spares and idle kept processes end,
   * and none of its spares start until it is followed again.
   */
  releaseAccount(account: string): void;
  /** Ends spares and hot conversations and stops refilling; resolves once their processes are gone. */
  close(): Promise<void>;
}

/** Spares and hot conversations under one process budget (MAX_CONCURRENCY counts them too). */
export function createWarmProcesses(deps: WarmProcessesDeps): WarmProcesses {
  const { settings, queue } = deps;
  const holders: Array<WarmPool | OpenSpares | HotSessions> = [];
  const budget = createProcessBudget({
    maxProcesses: settings.maxProcesses,
    runs: () => ({ running: queue.running, waiting: queue.waiting }),
    holders,
    live: () => deps.processes.liveCount,
  });
  const sparesMax = Math.max(settings.spares, settings.sparesMax);
  // Runs go first while the traffic is light: spares starting meanwhile are stopped (see below).
  const sources: Array<WarmPool | OpenSpares> = [];
  // In this order: a new conversation on a warm spare is the most common and the fastest.
  const fillAll = () => {
    for (const source of sources) source.fill();
  };
  let refillSkipped = false;
  const startYield = createStartYield({
    sources,
    // Runs pause spare starts until their first answer, which is still streaming when they resume:
    // on a small machine a spare started then takes the CPU from it (measured: +30-40 ms to a warm
    // spare's first token). So while that one run is all there is, the refill waits for its freed
    // slot (below); it starts here when runs overlap or arrivals are sustained (the next arrival
    // needs it soon), when no run is left, or when a slot was freed during the pause (that refill
    // was skipped).
    onResumed: () => {
      const oneRunAlone = queue.running === 1;
      if (oneRunAlone && !poolDemand.sustained() && !refillSkipped) return;
      refillSkipped = false;
      fillAll();
    },
  });
  const yieldDeps = {
    mayStart: () => !startYield.active,
    onHandOver: (pid: number) => startYield.release(pid),
  };
  const window = settings.demandWindowMs === undefined ? {} : { windowMs: settings.demandWindowMs };
  const poolDemand = new SpareDemand({ min: settings.spares, max: sparesMax, ...window });
  const pool = new WarmPool({
    demand: poolDemand,
    processes: deps.processes,
    hasRoomForIdle: () => budget.hasRoomForIdle(),
    ...yieldDeps,
    startup: deps.startup,
    logger: deps.logger,
  });
  const open = new OpenSpares({
    // Only runs the warm pool cannot serve ask here, so their rate alone sizes it; one is kept even
    // when they are rare (once a run has shown which launch to keep), or sparse traffic with a new
    // system prompt each time would always find it gone.
    demand: new SpareDemand({
      min: settings.openSpares ? 1 : 0,
      max: settings.openSpares ? sparesMax : 0,
      ...window,
    }),
    processes: deps.processes,
    hasRoomForIdle: () => budget.hasRoomForIdle(),
    ...yieldDeps,
    logger: deps.logger,
  });
  const rebuildSpares = settings.openSpares && (settings.rebuildSpares ?? true);
  const rebuild = new OpenSpares({
    // Rebuilds come after a restart, an edited answer, another client: rarer than new conversations,
    // but one is kept once a rebuild has shown its launch, so the next is not a cold start.
    demand: new SpareDemand({ min: rebuildSpares ? 1 : 0, max: rebuildSpares ? sparesMax : 0, ...window }),
    processes: deps.processes,
    hasRoomForIdle: () => budget.hasRoomForIdle(),
    ...yieldDeps,
    idFlag: '--resume',
    logger: deps.logger,
  });
  sources.push(pool, open, rebuild);
  const hot = new HotSessions({
    max: settings.hotSessionsMax,
    idleMs: settings.hotSessionIdleMs,
    // The conversation's run still holds its lease while it parks, so it takes no extra slot.
    canPark: () => queue.waiting === 0,
  });
  holders.push(pool, open, rebuild, hot);
  queue.onSlotFreed(() => {
    if (startYield.active) refillSkipped = true;
    fillAll();
  });
  return {
    pool,
    open,
    rebuild,
    hot,
    source: createWarmSource({
      processes: deps.processes,
      budget,
      hot,
      pool,
      open: settings.openSpares && sparesMax > 0 ? open : undefined,
      rebuild: rebuildSpares && sparesMax > 0 ? rebuild : undefined,
      // Under sustained arrivals the spares starting now are the next arrivals' processes (a run
      // takes one still starting): stopping them for this run would only make the next one start
      // from scratch. So a run has the CPU to itself only while the traffic is light.
      pauseSpareStarts:
        sparesMax > 0 ? () => (poolDemand.busy() ? () => undefined : startYield.pause()) : undefined,
      // A used spare's replacement can start only once the run's process has gone: that is the end
      // of the run's hold on the budget, for the demand's measure of how long a spare takes to return.
      afterProcessGone: () => {
        pool.released();
        open.released();
        rebuild.released();
      },
    }),
    promiseSessionId(launch) {
      return pool.promiseSessionIdFor(launch) ?? open.promiseSessionId();
    },
    promiseRebuildId() {
      return rebuildSpares ? rebuild.promiseSessionId() : undefined;
    },
    forgetSession(sessionId) {
      pool.forgetSession(sessionId);
      open.forgetSession(sessionId);
      rebuild.forgetSession(sessionId);
      hot.forget(sessionId);
    },
    followAccount(move) {
      pool.follow(move);
    },
    releaseAccount(account) {
      pool.releaseAccount(account);
      open.releaseAccount(account);
      rebuild.releaseAccount(account);
      hot.releaseAccount(account);
    },
    async close() {
      await Promise.all([pool.close(), open.close(), rebuild.close(), hot.closeAll()]);
    },
  };
}
