/** Processes kept idle for later use (spares, hot conversations) that can be given up on demand. */
export interface IdleProcesses {
  readonly idleCount: number;
  /** When the longest-idle process became idle; undefined when there is none. */
  oldestIdleSince(): number | undefined;
  /** Ends the longest-idle process; resolves once it has exited. */
  evictOldest(): Promise<void>;
}

export interface ProcessBudgetDeps {
  /** MAX_CONCURRENCY: Claude Code processes alive at once, idle or running. */
  maxProcesses: number;
  /** Leases held by runs (each has, or is about to start, one process) and requests waiting. */
  runs: () => { running: number; waiting: number };
  holders: readonly IdleProcesses[];
  /**
   * Claude Code processes alive now, whatever they do: a run's process still exiting after its
   * answer (its slot is already free) counts here until it has gone.
   */
  live?: () => number;
}

export interface ProcessBudget {
  /** Whether one more idle process fits: only in a slot no run holds or waits for. */
  hasRoomForIdle(): boolean;
  /**
   * Called by a run (already holding its lease) before it spawns a process: ends idle processes,
   * longest-idle first, until the run's process fits under the cap. `adopting`: the run will take
   * one of the idle processes (one promised to it), which then needs no room of its own.
   */
  makeRoomForRun(adopting?: boolean): Promise<void>;
}

/**
 * Idle processes live only in run slots nobody is using, so they never delay a request: a run
 * that starts when the cap is reached first adopts an idle process (a matching spare or its own
 * hot conversation) or, failing that, ends the longest-idle one before it spawns.
 */
const EXIT_WAIT_STEP_MS = 10;
const EXIT_WAIT_STEPS = 200;

export function createProcessBudget(deps: ProcessBudgetDeps): ProcessBudget {
  const idle = () => deps.holders.reduce((sum, holder) => sum + holder.idleCount, 0);
  return {
    hasRoomForIdle() {
      const { running, waiting } = deps.runs();
      const live = deps.live?.() ?? 0;
      return waiting === 0 && running + idle() < deps.maxProcesses && live < deps.maxProcesses;
    },
    async makeRoomForRun(adopting = false) {
      const adopted = adopting ? 1 : 0;
      // Bounded: every pass ends one idle process or stops.
      for (
        let pass = idle();
        pass > 0 && deps.runs().running + idle() - adopted > deps.maxProcesses;
        pass -= 1
      ) {
        const oldest = longestIdle(deps.holders);
        if (!oldest) break;
        await oldest.evictOldest();
      }
      // A run's slot is freed with its answer while its CLI is still exiting (tens of ms): at the cap,
      // the next process waits for that exit rather than go over it. Bounded: at most ~2 s.
      for (
        let wait = 0;
        wait < EXIT_WAIT_STEPS && (deps.live?.() ?? 0) - adopted >= deps.maxProcesses;
        wait += 1
      ) {
        await new Promise((resolve) => setTimeout(resolve, EXIT_WAIT_STEP_MS));
      }
    },
  };
}

function longestIdle(holders: readonly IdleProcesses[]): IdleProcesses | undefined {
  let best: { holder: IdleProcesses; since: number } | undefined;
  for (const holder of holders) {
    const since = holder.oldestIdleSince();
    if (since !== undefined && (!best || since < best.since)) best = { holder, since };
  }
  return best?.holder;
}
