import { setTimeout as delay } from 'node:timers/promises';
import type { StoredTaskEvent, TaskSignals, TaskStore } from '../../contract/ports/tasks.js';

/** Live events of a task running here; undefined when it is not running here. */
export type SubscribeToTask = (
  taskId: string,
  listener: (event: StoredTaskEvent) => void,
) => (() => void) | undefined;

const TERMINAL = new Set(['complete', 'error']);

/** How a gateway follows a task that another gateway on the same database runs. */
export interface RemoteTaskFollow {
  signals: TaskSignals;
  /** Read the log at least this often, in case a signal was lost (default 1 s). */
  pollMs?: number;
  /** Stop following after this long (a task is bounded by its timeout; its gateway may have died). */
  maxFollowMs: number;
  /**
   * How long to wait for the closing event once the stored task says it ended: its gateway marks
   * the task ended a moment before it appends that event (default 3 s).
   */
  endGraceMs?: number;
}

/**
 * A task's events: the stored log after `afterSeq`, then live events until the task ends. The live
 * subscription starts before the log is read and events are de-duplicated by sequence number, so
 * nothing falls between the two. A task running on another gateway (shared database, `remote`) is
 * followed through its stored log, woken by that gateway's signals.
 */
export async function* followTaskEvents(
  taskId: string,
  afterSeq: number,
  subscribe: SubscribeToTask,
  store: TaskStore,
  remote?: RemoteTaskFollow,
): AsyncGenerator<StoredTaskEvent> {
  const live: StoredTaskEvent[] = [];
  let wake: (() => void) | undefined;
  const unsubscribe = subscribe(taskId, (event) => {
    live.push(event);
    wake?.();
  });
  let last = afterSeq;
  try {
    for (const event of await store.events(taskId, afterSeq)) {
      last = event.seq;
      yield event;
      if (TERMINAL.has(event.event)) return;
    }
    if (!unsubscribe) {
      // Not running here: running elsewhere (followed through the store), or its log is complete.
      if (remote) yield* followElsewhere(taskId, last, store, remote);
      return;
    }
    for (;;) {
      while (live.length > 0) {
        const event = live.shift();
        if (!event || event.seq <= last) continue;
        last = event.seq;
        yield event;
        if (TERMINAL.has(event.event)) return;
      }
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    unsubscribe?.();
  }
}

async function* followElsewhere(
  taskId: string,
  afterSeq: number,
  store: TaskStore,
  remote: RemoteTaskFollow,
): AsyncGenerator<StoredTaskEvent> {
  const pollMs = remote.pollMs ?? 1_000;
  const graceMs = remote.endGraceMs ?? 3_000;
  let signalled = false;
  let wake: (() => void) | undefined;
  const stop = remote.signals.onAppended((appendedTo) => {
    if (appendedTo !== taskId) return;
    signalled = true;
    wake?.();
  });
  let last = afterSeq;
  const startedAt = Date.now();
  let endedAt: number | undefined;
  try {
    // Bounded in time (maxFollowMs) and so in count: each round waits for a signal or pollMs.
    while (Date.now() - startedAt < remote.maxFollowMs) {
      signalled = false;
      for (const event of await store.events(taskId, last)) {
        last = event.seq;
        yield event;
        if (TERMINAL.has(event.event)) return;
      }
      if (endedAt === undefined) {
        const task = await store.get(taskId);
        // Ended without its closing event yet (or ever: a gateway that died is failed at its restart).
        if (task?.status !== 'running') endedAt = Date.now();
      }
      if (endedAt !== undefined && Date.now() - endedAt >= graceMs) return;
      if (signalled) continue;
      const ac = new AbortController();
      await Promise.race([
        new Promise<void>((resolve) => {
          wake = resolve;
        }),
        delay(endedAt === undefined ? pollMs : Math.min(pollMs, 250), undefined, { signal: ac.signal }).catch(
          () => undefined,
        ),
      ]);
      ac.abort();
      wake = undefined;
    }
  } finally {
    stop();
  }
}
