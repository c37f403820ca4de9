import type { SseFrame } from '../../http/sse.js';
import type { StoredTaskEvent, TaskStore } from '../../store/task-store.js';
import type { TaskService } from './task-service.js';

const TERMINAL = new Set(['complete', 'error']);

/**
 * A task's events as SSE frames: the stored log after `afterSeq`, then live events until the task
 * ends. The live subscription starts before the log is read and frames are de-duplicated by
 * sequence number, so nothing falls between the two.
 */
export async function* taskEventFrames(
  taskId: string,
  afterSeq: number,
  tasks: TaskService,
  store: TaskStore,
): AsyncGenerator<SseFrame> {
  const live: StoredTaskEvent[] = [];
  let wake: (() => void) | undefined;
  const unsubscribe = tasks.subscribe(taskId, (event) => {
    live.push(event);
    wake?.();
  });
  let last = afterSeq;
  try {
    for (const event of await store.events(taskId, afterSeq)) {
      last = event.seq;
      yield frame(event);
      if (TERMINAL.has(event.event)) return;
    }
    // Not running here: the stored log is all there will ever be.
    if (!unsubscribe) return;
    for (;;) {
      while (live.length > 0) {
        const event = live.shift();
        if (!event || event.seq <= last) continue;
        last = event.seq;
        yield frame(event);
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

function frame(event: StoredTaskEvent): SseFrame {
  return { id: String(event.seq), event: event.event, data: JSON.stringify(event.data) };
}
