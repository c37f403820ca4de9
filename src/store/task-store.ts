import type { StoreDatabase } from './database.js';

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
 * it too; the SQLite one below answers at once.
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

interface TaskRow {
  id: string;
  owner_id: string;
  status: TaskStatus;
  request: string;
  result: string | null;
  created_at: number;
  updated_at: number;
}

interface EventRow {
  seq: number;
  event: string;
  data: string;
  at: number;
}

/** The TaskStore in the gateway's SQLite file (tables from the schema step in database.ts). */
export function sqliteTaskStore(db: StoreDatabase): TaskStore {
  const toTask = (row: TaskRow): StoredTask => ({
    id: row.id,
    ownerId: row.owner_id,
    status: row.status,
    request: JSON.parse(row.request),
    result: row.result === null ? null : JSON.parse(row.result),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  });
  return {
    async create(task) {
      db.prepare(
        `INSERT INTO tasks (id, owner_id, status, request, result, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
      ).run(
        task.id,
        task.ownerId,
        task.status,
        JSON.stringify(task.request),
        task.result === null || task.result === undefined ? null : JSON.stringify(task.result),
        task.createdAt,
        task.updatedAt,
      );
    },
    async finish(id, status, result, at) {
      // Only a running task ends: a cancel racing the run's own end keeps whichever came first.
      db.prepare(
        `UPDATE tasks SET status = ?, result = ?, updated_at = ? WHERE id = ? AND status = 'running'`,
      ).run(status, JSON.stringify(result), at, id);
    },
    async get(id) {
      const row = db.prepare('SELECT * FROM tasks WHERE id = ?').get(id) as TaskRow | undefined;
      return row ? toTask(row) : undefined;
    },
    async list(ownerId, limit) {
      const rows = (
        ownerId === undefined
          ? db.prepare('SELECT * FROM tasks ORDER BY created_at DESC, id DESC LIMIT ?').all(limit)
          : db
              .prepare('SELECT * FROM tasks WHERE owner_id = ? ORDER BY created_at DESC, id DESC LIMIT ?')
              .all(ownerId, limit)
      ) as TaskRow[];
      return rows.map(toTask);
    },
    async appendEvent(taskId, event) {
      db.prepare('INSERT INTO task_events (task_id, seq, event, data, at) VALUES (?, ?, ?, ?, ?)').run(
        taskId,
        event.seq,
        event.event,
        JSON.stringify(event.data),
        event.at,
      );
    },
    async events(taskId, afterSeq) {
      const rows = db
        .prepare('SELECT seq, event, data, at FROM task_events WHERE task_id = ? AND seq > ? ORDER BY seq')
        .all(taskId, afterSeq) as EventRow[];
      return rows.map((row) => ({ seq: row.seq, event: row.event, data: JSON.parse(row.data), at: row.at }));
    },
    async failRunning(result, at) {
      const info = db
        .prepare(`UPDATE tasks SET status = 'failed', result = ?, updated_at = ? WHERE status = 'running'`)
        .run(JSON.stringify(result), at);
      return info.changes;
    },
  };
}
