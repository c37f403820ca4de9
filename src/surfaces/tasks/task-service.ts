import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { type Admission, planAdmitted } from '../../contract/admission.js';
import type { GatewayError } from '../../contract/gateway-error.js';
import type { Principal } from '../../contract/key-policy.js';
import type {
  StoredTask,
  StoredTaskEvent,
  TaskSignals,
  TaskStatus,
  TaskStore,
} from '../../contract/ports/tasks.js';
import { type RunUsage, ZERO_USAGE } from '../../contract/run-events.js';
import type { RunService, RunSummary } from '../../contract/run-service.js';
import { emptyTaskFold, foldTaskEvent, type TaskToolCall } from './encode-stream.js';
import type { TaskPlan } from './to-plan.js';

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

export interface StartTask {
  taskPlan: TaskPlan;
  /** From `admit`: the task's run holds it (its key's run slot) until it ends. */
  admission: Admission;
  /** What is stored as the task's request (prompt, cwd, tools…). */
  request: unknown;
  principal?: Principal;
  requestId: string;
  /** Reported once the run ended (budget, audit and metrics). */
  onSummary?: (summary: RunSummary) => void;
}

export type TaskListener = (event: StoredTaskEvent) => void;

export interface TaskService {
  /** Key policy's word on a task's run, before it is planned (the core's admission, once per run). */
  admit: RunService['admit'];
  /** Records the task and starts it; `done` settles with its result, whatever ended it. */
  start(input: StartTask): Promise<{ taskId: string; done: Promise<TaskResult> }>;
  /**
   * Cancels a running task (its process tree is killed) and resolves once it ended; false when it is
   * not running. With `signals` (a shared database) a task another gateway runs is cancelled there.
   */
  cancel(taskId: string): Promise<boolean>;
  /** Live events of a running task; undefined when it is not running (its log is complete). */
  subscribe(taskId: string, listener: TaskListener): (() => void) | undefined;
  /** Ends every running task, recording it as failed with `reason` (the gateway is stopping). */
  stopAll(reason: string): Promise<void>;
}

export interface TaskServiceDeps {
  runs: RunService;
  store: TaskStore;
  /** On a shared database: cancels reach the gateway running the task, wherever it was asked. */
  signals?: TaskSignals;
  /** How long a cancel of a task running elsewhere waits for it to end (default 10 s). */
  remoteCancelWaitMs?: number;
  now?: () => number;
  newId?: () => string;
}

interface RunningTask {
  controller: AbortController;
  listeners: Set<TaskListener>;
  /** Set before aborting, so the run's end is recorded with this status and reason. */
  stopped?: { status: 'cancelled' | 'failed'; code: string; message: string };
  /** Settles with the result once the run ended and was recorded. */
  done?: Promise<TaskResult>;
}

export const ANONYMOUS_OWNER = 'anonymous';

/** Runs tasks detached from the request that started them, logging every event to the store. */
export function createTaskService(deps: TaskServiceDeps): TaskService {
  const now = deps.now ?? Date.now;
  const newId = deps.newId ?? (() => `task_${randomUUID().replaceAll('-', '')}`);
  const running = new Map<string, RunningTask>();
  const remoteCancelWaitMs = deps.remoteCancelWaitMs ?? 10_000;

  async function cancelHere(task: RunningTask): Promise<void> {
    task.stopped ??= { status: 'cancelled', code: 'task_cancelled', message: 'The task was cancelled.' };
    task.controller.abort();
    await task.done;
  }

  // Another gateway was asked to cancel a task: if it runs here, this gateway ends it.
  const stopListening = deps.signals?.onCancelRequested((taskId) => {
    const task = running.get(taskId);
    if (task) void cancelHere(task);
  });

  /**
   * Asks the gateway running the task to cancel it and waits until the store says it ended,
   * asking again now and then (a signal is best effort). Bounded: `remoteCancelWaitMs`.
   */
  async function cancelElsewhere(signals: TaskSignals, taskId: string): Promise<boolean> {
    if ((await deps.store.get(taskId))?.status !== 'running') return false;
    const pollMs = 200;
    const rounds = Math.max(1, Math.ceil(remoteCancelWaitMs / pollMs));
    for (let round = 0; round < rounds; round++) {
      if (round % 10 === 0) await signals.requestCancel(taskId);
      await delay(pollMs);
      if ((await deps.store.get(taskId))?.status !== 'running') return true;
    }
    return false;
  }

  async function execute(taskId: string, task: RunningTask, input: StartTask): Promise<TaskResult> {
    const fold = emptyTaskFold();
    let seq = 0;
    const emit = async (event: string, data: unknown) => {
      const stored: StoredTaskEvent = { seq: ++seq, event, data, at: now() };
      // Stored before it is announced: a client that resumes from the log never misses it.
      await deps.store.appendEvent(taskId, stored);
      for (const listener of task.listeners) listener(stored);
    };
    let summary: RunSummary | undefined;
    let usage: RunUsage = { ...ZERO_USAGE };
    let error: GatewayError | undefined;
    const startedAt = performance.now();
    try {
      const events = deps.runs.run({
        surface: 'tasks',
        plan: input.taskPlan.plan,
        admission: input.admission,
        ...(input.principal ? { origin: { callerId: input.principal.id } } : {}),
        signal: task.controller.signal,
        requestId: input.requestId,
        auditBody: input.request,
        timeoutMs: input.taskPlan.timeoutMs,
        onSummary: (runSummary) => {
          summary = runSummary;
          input.onSummary?.(runSummary);
        },
      });
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
    const result: TaskResult = {
      taskId,
      status,
      summary: fold.summary,
      toolCalls: fold.toolCalls,
      usage: summary?.usage ?? usage,
      costUsd: summary?.costUsd ?? 0,
      durationMs: Math.round(performance.now() - startedAt),
      turns: summary?.turns ?? 0,
    };
    if (task.stopped) {
      result.error = { code: task.stopped.code, message: task.stopped.message };
    } else if (error) {
      result.error = { code: error.code ?? error.kind, message: error.message };
    }
    await deps.store.finish(taskId, status, result, now());
    await emit(status === 'completed' ? 'complete' : 'error', result);
    return result;
  }

  return {
    admit: (principal, ask) => deps.runs.admit(principal, ask),
    async start(input) {
      const taskId = newId();
      const at = now();
      const task: StoredTask = {
        id: taskId,
        ownerId: input.principal?.id ?? ANONYMOUS_OWNER,
        status: 'running',
        request: input.request,
        result: null,
        createdAt: at,
        updatedAt: at,
      };
      await planAdmitted(input.admission, () => deps.store.create(task));
      const entry: RunningTask = { controller: new AbortController(), listeners: new Set() };
      running.set(taskId, entry);
      const done = execute(taskId, entry, input).finally(() => running.delete(taskId));
      entry.done = done;
      return { taskId, done };
    },
    async cancel(taskId) {
      const task = running.get(taskId);
      if (task) {
        await cancelHere(task);
        return true;
      }
      return deps.signals ? cancelElsewhere(deps.signals, taskId) : false;
    },
    subscribe(taskId, listener) {
      const task = running.get(taskId);
      if (!task) return undefined;
      task.listeners.add(listener);
      return () => task.listeners.delete(listener);
    },
    async stopAll(reason) {
      stopListening?.();
      const tasks = [...running.values()];
      for (const task of tasks) {
        task.stopped ??= { status: 'failed', code: 'gateway_stopped', message: reason };
        task.controller.abort();
      }
      await Promise.allSettled(tasks.map((task) => task.done));
    },
  };
}
