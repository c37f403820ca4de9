import { describe, expect, it } from 'vitest';
import type { StoredTask, StoredTaskEvent, TaskSignals, TaskStore } from '../../contract/ports/tasks.js';
import { followTaskEvents } from './task-events.js';

/** A store one "other gateway" writes to, and the signals it sends; nothing runs on this gateway. */
function elsewhere() {
  const log: StoredTaskEvent[] = [];
  let status: StoredTask['status'] = 'running';
  const appended = new Set<(taskId: string) => void>();
  const store = {
    async events(_taskId: string, afterSeq: number) {
      return log.filter((event) => event.seq > afterSeq);
    },
    async get(id: string) {
      return { id, ownerId: 'k', status, request: {}, result: null, createdAt: 0, updatedAt: 0 };
    },
  } as unknown as TaskStore;
  const signals: TaskSignals = {
    onAppended: (listener) => {
      appended.add(listener);
      return () => appended.delete(listener);
    },
    requestCancel: async () => {},
    onCancelRequested: () => () => {},
  };
  const notHere = () => undefined;
  return {
    store,
    signals,
    notHere,
    append(event: string, data: unknown = {}) {
      log.push({ seq: log.length + 1, event, data, at: 0 });
      for (const listener of appended) listener('task_1');
    },
    end(to: StoredTask['status']) {
      status = to;
    },
    get listeners() {
      return appended.size;
    },
  };
}

async function collect(
  events: AsyncGenerator<StoredTaskEvent>,
  onEvent: (event: StoredTaskEvent) => void = () => {},
) {
  const all: StoredTaskEvent[] = [];
  for await (const event of events) {
    all.push(event);
    onEvent(event);
  }
  return all;
}

describe('following a task another gateway runs', () => {
  it('delivers its events as they are appended, up to the closing event, and stops listening', async () => {
    const other = elsewhere();
    other.append('text_delta', { text: 'a' });
    const events = followTaskEvents('task_1', 0, other.notHere, other.store, {
      signals: other.signals,
      pollMs: 60_000,
      maxFollowMs: 60_000,
    });
    // Each event appended after the follower saw the one before: only a signal can wake it in time.
    const seen = await collect(events, (event) => {
      if (event.seq === 1) setTimeout(() => other.append('text_delta', { text: 'b' }), 10);
      if (event.seq === 2) setTimeout(() => other.append('complete', { status: 'completed' }), 10);
    });
    expect(seen.map((event) => [event.seq, event.event])).toEqual([
      [1, 'text_delta'],
      [2, 'text_delta'],
      [3, 'complete'],
    ]);
    expect(other.listeners).toBe(0);
  });

  it('ends when the task ended without a closing event (its gateway died), after the grace', async () => {
    const other = elsewhere();
    other.append('text_delta', { text: 'a' });
    other.end('failed');
    const seen = await collect(
      followTaskEvents('task_1', 0, other.notHere, other.store, {
        signals: other.signals,
        pollMs: 20,
        maxFollowMs: 60_000,
        endGraceMs: 50,
      }),
    );
    expect(seen.map((event) => event.seq)).toEqual([1]);
  });

  it('reads only the stored log without a way to follow (one machine)', async () => {
    const other = elsewhere();
    other.append('text_delta', { text: 'a' });
    const seen = await collect(followTaskEvents('task_1', 0, other.notHere, other.store));
    expect(seen.map((event) => event.seq)).toEqual([1]);
  });
});
