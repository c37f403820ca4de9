import type { LogSignals } from './notifications.js';

/** Where a task is in its life; `running` is the only state that may change again. */
export type TaskStatus = 'running' | 'completed' | 'failed' | 'cancelled' | 'timeout';

/** A task as stored: its request and, once it ended, its result (both JSON the tasks surface owns). */
export interface StoredTask {
  id: string;
  /** The caller (an API key id, or `anonymous`); a caller sees only its own tasks. */
  ownerId: string;
  status: TaskStatus;
  request: unknown;
  result: unknown;
  createdAt: number;
  updatedAt: number;
}

/** One event of a task's log, numbered from 1 (the SSE id a client resumes from). */
export interface StoredTaskEvent {
  seq: number;
  event: string;
  data: unknown;
  at: number;
}

/**
 * Task records and their event logs. Asynchronous so a networked database (Postgres) can implement
 * it too; src/store/kysely-task-store.ts implements it on both engines.
 */
export interface TaskStore {
  create(task: StoredTask): Promise<void>;
  finish(id: string, status: Exclude<TaskStatus, 'running'>, result: unknown, at: number): Promise<void>;
  get(id: string): Promise<StoredTask | undefined>;
  /** The owner's tasks, or everyone's when `ownerId` is undefined (the console), newest first. */
  list(ownerId: string | undefined, limit: number): Promise<StoredTask[]>;
  appendEvent(taskId: string, event: StoredTaskEvent): Promise<void>;
  /** Events after `afterSeq`, in order. */
  events(taskId: string, afterSeq: number): Promise<StoredTaskEvent[]>;
  /** Marks every task still `running` as failed with `result` (a gateway stopped under it); returns how many. */
  failRunning(result: unknown, at: number): Promise<number>;
}

/** Task signals between gateways sharing a database (see LogSignals); absent on one machine. */
export type TaskSignals = LogSignals;
