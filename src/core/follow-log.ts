/**
 * Following a run's event log (a background response's) from a given sequence number: what is
 * logged, then what comes live, until the log is closed. A run on this gateway is followed through
 * its live listener; a run on another gateway sharing the database through the store, woken by that
 * gateway's signals and polled in case a signal was lost.
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface LiveListener<E> {
  entry(entry: E): void;
  /** The run is over (it may end without a closing entry: a cancel). */
  ended(): void;
}

export interface FollowedLog<E> {
  /** Logged entries after `afterSeq`, in order. */
  read(afterSeq: number): Promise<E[]>;
  /** An entry's sequence number in the log. */
  seqOf(entry: E): number;
  /** Live entries of the run while it runs on this gateway; undefined when it does not run here. */
  subscribe(listener: LiveListener<E>): (() => void) | undefined;
  /** The entry that closes the log: nothing follows it. */
  isLast(entry: E): boolean;
  /** Whether the store says the run is over (for a run this gateway does not hold). */
  hasEnded(): Promise<boolean>;
  /** Another gateway's announcements that the log grew; absent on one machine. */
  onAppended?: (listener: () => void) => () => void;
  /** Read the log at least this often while following a run elsewhere (default 1 s). */
  pollMs?: number;
  /** Stop following a run elsewhere after this long (its gateway may have died). */
  maxFollowMs: number;
  /**
   * How long to keep reading once the store says the run ended: its gateway records the end a
   * moment before it logs the closing entry (default 3 s).
   */
  endGraceMs?: number;
}

/** Follows `log` from after `afterSeq`; `signal` stops following (the follower left), not the run. */
export async function* followLog<E>(
  log: FollowedLog<E>,
  afterSeq: number,
  signal?: AbortSignal,
): AsyncGenerator<E> {
  const live: E[] = [];
  let over = false;
  let wake: (() => void) | undefined;
  const onAbort = () => wake?.();
  signal?.addEventListener('abort', onAbort, { once: true });
  // Subscribed before the log is read, and de-duplicated by sequence number: nothing falls between.
  const unsubscribe = log.subscribe({
    entry(entry) {
      live.push(entry);
      wake?.();
    },
    ended() {
      over = true;
      wake?.();
    },
  });
  let last = afterSeq;
  try {
    for (const entry of await log.read(afterSeq)) {
      last = log.seqOf(entry);
      yield entry;
      if (log.isLast(entry)) return;
    }
    if (!unsubscribe) {
      yield* followElsewhere(log, last, signal);
      return;
    }
    while (!signal?.aborted) {
      while (live.length > 0) {
        const entry = live.shift();
        if (!entry || log.seqOf(entry) <= last) continue;
        last = log.seqOf(entry);
        yield entry;
        if (log.isLast(entry)) return;
      }
      if (over) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    unsubscribe?.();
  }
}

async function* followElsewhere<E>(
  log: FollowedLog<E>,
  afterSeq: number,
  signal?: AbortSignal,
): AsyncGenerator<E> {
  const pollMs = log.pollMs ?? 1_000;
  const graceMs = log.endGraceMs ?? 3_000;
  let signalled = false;
  let wake: (() => void) | undefined;
  const stop = log.onAppended?.(() => {
    signalled = true;
    wake?.();
  });
  let last = afterSeq;
  const startedAt = Date.now();
  let endedAt: number | undefined;
  try {
    // Bounded in time (maxFollowMs) and so in count: each round waits for a signal or pollMs.
    while (Date.now() - startedAt < log.maxFollowMs && !signal?.aborted) {
      signalled = false;
      for (const entry of await log.read(last)) {
        last = log.seqOf(entry);
        yield entry;
        if (log.isLast(entry)) return;
      }
      if (endedAt === undefined && (await log.hasEnded())) endedAt = Date.now();
      if (endedAt !== undefined && Date.now() - endedAt >= graceMs) return;
      if (signalled) continue;
      const timer = new AbortController();
      await Promise.race([
        new Promise<void>((resolve) => {
          wake = resolve;
        }),
        delay(endedAt === undefined ? pollMs : Math.min(pollMs, 250), undefined, {
          signal: timer.signal,
        }).catch(() => undefined),
      ]);
      timer.abort();
      wake = undefined;
    }
  } finally {
    stop?.();
  }
}
