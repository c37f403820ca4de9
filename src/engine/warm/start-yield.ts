/** Processes that are still doing their CPU-bound start-up for an idle future (spares). */
export interface StartingProcesses {
  startingPids(): number[];
}

export interface StartYieldDeps {
  sources: readonly StartingProcesses[];
  /** Called when the last cold start is done: the moment to start the spares that waited. */
  onResumed: () => void;
  /** Resumes anyway after this long, so nothing stays stopped if a run never reports back. */
  maxPauseMs?: number;
  signal?: (pid: number, signal: 'SIGSTOP' | 'SIGCONT') => void;
}

export interface StartYield {
  /** Whether a cold start is under way (spares should not start now). */
  readonly active: boolean;
  /**
   * A run is starting Claude Code cold: spares still starting are stopped until every such run
   * calls the returned function (or `maxPauseMs` passed), so the run has the CPU to itself.
   */
  pause(): () => void;
  /** A stopped spare is being handed to a run: it continues at once. */
  release(pid: number): void;
}

const DEFAULT_MAX_PAUSE_MS = 3_000;

/**
 * On a small machine a spare that starts while a request starts its own process halves that
 * request's CPU: a rebuilt history (which no spare can serve) then takes longer than a cold start
 * on a quiet machine. Spares are for later; the request is now. So while any run starts cold, the
 * spares' start-ups are stopped (SIGSTOP to their process group) and continue afterwards.
 */
export function createStartYield(deps: StartYieldDeps): StartYield {
  const send = deps.signal ?? signalGroup;
  const maxPauseMs = deps.maxPauseMs ?? DEFAULT_MAX_PAUSE_MS;
  const stopped = new Set<number>();
  let holders = 0;
  const resumeAll = () => {
    for (const pid of stopped) send(pid, 'SIGCONT');
    stopped.clear();
    deps.onResumed();
  };
  return {
    get active() {
      return holders > 0;
    },
    pause() {
      holders += 1;
      for (const pid of deps.sources.flatMap((source) => source.startingPids())) {
        if (stopped.has(pid)) continue;
        stopped.add(pid);
        send(pid, 'SIGSTOP');
      }
      let done = false;
      const timer = setTimeout(() => finish(), maxPauseMs);
      timer.unref();
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        holders -= 1;
        if (holders === 0) resumeAll();
      };
      return finish;
    },
    release(pid) {
      if (stopped.delete(pid)) send(pid, 'SIGCONT');
    },
  };
}

function signalGroup(pid: number, signal: 'SIGSTOP' | 'SIGCONT'): void {
  try {
    // Each Claude Code process leads its own group (ProcessRegistry spawns it detached).
    process.kill(-pid, signal);
  } catch {
    // Already gone: nothing to stop or continue.
  }
}
