import type { GatewayError } from '../../contract/gateway-error.js';
import type { StoredTaskEvent, TaskStatus, TaskStore } from '../../contract/ports/tasks.js';
import { type RunUsage, ZERO_USAGE } from '../../contract/run-events.js';
import type { RunSummary } from '../../contract/run-service.js';
import type { RunEvents } from '../../core/serve-run.js';
import { emptyTaskFold, foldTaskEvent, type TaskToolCall } from './task-progress.js';

/** A task's answer: what `complete` carries, what GET /api/v1/tasks/{id} returns once it ended. */
export interface TaskResult {
  taskId: string;
  status: TaskStatus;
  summary: string;
  toolCalls: TaskToolCall[];
  usage: RunUsage;
  costUsd: number;
  durationMs: number;
  turns: number;
  error?: { code: string; message: string };
}

export type TaskListener = (event: StoredTaskEvent) => void;

/** A task running on this gateway. */
export interface RunningTask {
  controller: AbortController;
  listeners: Set<TaskListener>;
  /** Set before aborting, so the run's end is recorded with this status and reason. */
  stopped?: { status: 'cancelled' | 'failed'; code: string; message: string };
  /** Settles with the result once the run ended and was recorded. */
  done?: Promise<TaskResult>;
}

export interface TaskRunDeps {
  store: TaskStore;
  now: () => number;
}

/**
 * Follows a task's run to its end: every progress event is stored in the task's log, then told to
 * its live listeners; the result is stored and ends the log (`complete` or `error`), however the
 * run ended. `summary` is the run's summary once the run reported it.
 */
export async function recordTaskRun(
  deps: TaskRunDeps,
  taskId: string,
  task: RunningTask,
  events: RunEvents,
  summary: () => RunSummary | undefined,
): Promise<TaskResult> {
  const fold = emptyTaskFold();
  let seq = 0;
  const emit = async (event: string, data: unknown) => {
    const stored: StoredTaskEvent = { seq: ++seq, event, data, at: deps.now() };
    // Stored before it is announced: a client that resumes from the log never misses it.
    await deps.store.appendEvent(taskId, stored);
    for (const listener of task.listeners) listener(stored);
  };
  let usage: RunUsage = { ...ZERO_USAGE };
  let error: GatewayError | undefined;
  const startedAt = performance.now();
  try {
    for await (const event of events) {
      if (event.type === 'error') error = event.error;
      if (event.type === 'finish') usage = event.usage;
      for (const progress of foldTaskEvent(fold, event, performance.now())) {
        await emit(progress.event, progress.data);
      }
    }
  } catch (thrown) {
    // Not a neutral error (those arrive as events): a bug, recorded so the task never stays running.
    task.stopped ??= {
      status: 'failed',
      code: 'internal_error',
      message: (thrown as Error).message || 'The task failed.',
    };
  }
  const status: Exclude<TaskStatus, 'running'> =
    task.stopped?.status ?? (error ? (error.kind === 'timeout' ? 'timeout' : 'failed') : 'completed');
  const reported = summary();
  const result: TaskResult = {
    taskId,
    status,
    summary: fold.summary,
    toolCalls: fold.toolCalls,
    usage: reported?.usage ?? usage,
    costUsd: reported?.costUsd ?? 0,
    durationMs: Math.round(performance.now() - startedAt),
    turns: reported?.turns ?? 0,
  };
  if (task.stopped) {
    result.error = { code: task.stopped.code, message: task.stopped.message };
  } else if (error) {
    result.error = { code: error.code ?? error.kind, message: error.message };
  }
  await deps.store.finish(taskId, status, result, deps.now());
  await emit(status === 'completed' ? 'complete' : 'error', result);
  return result;
}
