/** The signal a run goes by, and what ended it. */
export interface RunSignal {
  readonly signal: AbortSignal;
  /** Whether the run's time limit ended it (not one of its sources). */
  timedOut(): boolean;
  /** Stops the timer and stops listening to the sources: called once the run is over. */
  dispose(): void;
}

// setTimeout takes at most a signed 32-bit delay (about 24.8 days); a longer one fires at once.
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * Aborted when any of `sources` aborts (the client leaving, the gateway stopping) or after
 * `timeoutMs`. Made by hand rather than with `AbortSignal.any` and `AbortSignal.timeout`: `any`
 * ties every run's signal to the gateway's lifelong stopping signal until the garbage collector
 * unties it, and the pair was one of the larger costs of a hot turn's path. Here the run's end
 * takes its listeners and its timer away at once.
 */
export function runSignal(sources: ReadonlyArray<AbortSignal | undefined>, timeoutMs: number): RunSignal {
  const controller = new AbortController();
  let timedOut = false;
  const listening: AbortSignal[] = [];
  const fromSource = (event: Event) => {
    dispose();
    controller.abort((event.target as AbortSignal).reason);
  };
  const timer =
    timeoutMs < Number.POSITIVE_INFINITY
      ? setTimeout(
          () => {
            timedOut = true;
            dispose();
            controller.abort(new DOMException('The run took longer than its time limit.', 'TimeoutError'));
          },
          Math.min(Math.max(0, timeoutMs), LONGEST_TIMER_MS),
        )
      : undefined;
  // The timer alone must not keep the process alive (as with `AbortSignal.timeout`).
  timer?.unref();
  function dispose(): void {
    if (timer !== undefined) clearTimeout(timer);
    for (const source of listening.splice(0)) source.removeEventListener('abort', fromSource);
  }
  for (const source of sources) {
    if (!source) continue;
    if (source.aborted) {
      dispose();
      controller.abort(source.reason);
      break;
    }
    source.addEventListener('abort', fromSource, { once: true });
    listening.push(source);
  }
  return { signal: controller.signal, timedOut: () => timedOut, dispose };
}
