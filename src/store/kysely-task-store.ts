import { type Kysely, type Selectable, sql } from 'kysely';
import { CHANNELS } from '../contract/ports/notifications.js';
import type { StoredTask, TaskStore } from '../contract/ports/tasks.js';
import type { StoreSchema, TasksTable } from './schema.js';

export interface TaskStoreOptions {
  /**
   * The gateway whose tasks `failRunning` may end. Set on a shared database, so a gateway starting
   * fails only the tasks it left running, not those another gateway is running now; left out on
   * the embedded SQLite file, whose tasks are all this machine's.
   */
  instanceId?: string;
  /**
   * PostgreSQL only: every append also NOTIFYs `CHANNELS.taskEvents` with the task id (in the same
   * statement), so gateways following the task's log elsewhere read it at once instead of polling.
   */
  notifyAppends?: boolean;
}

/** Tasks and their event logs on either engine (migration 0007); request, result and data as JSON text. */
export function createTaskStore(db: Kysely<StoreSchema>, options: TaskStoreOptions = {}): TaskStore {
  const instanceId = options.instanceId ?? null;
  return {
    async create(task) {
      await db
        .insertInto('tasks')
        .values({
          id: task.id,
          owner_id: task.ownerId,
          status: task.status,
          request: JSON.stringify(task.request),
          result: task.result === null || task.result === undefined ? null : JSON.stringify(task.result),
          created_at: task.createdAt,
          updated_at: task.updatedAt,
          instance_id: instanceId,
        })
        .execute();
    },
    async finish(id, status, result, at) {
      // Only a running task ends: a cancel racing the run's own end keeps whichever came first.
      await db
        .updateTable('tasks')
        .set({ status, result: JSON.stringify(result), updated_at: at })
        .where('id', '=', id)
        .where('status', '=', 'running')
        .execute();
    },
    async get(id) {
      const row = await db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toTask(row);
    },
    async list(ownerId, limit) {
      let query = db.selectFrom('tasks').selectAll();
      if (ownerId !== undefined) query = query.where('owner_id', '=', ownerId);
      const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map(toTask);
    },
    async appendEvent(taskId, event) {
      if (options.notifyAppends) {
        const data = JSON.stringify(event.data);
        await sql`WITH appended AS (
            INSERT INTO task_events (task_id, seq, event, data, at)
            VALUES (${taskId}, ${event.seq}, ${event.event}, ${data}, ${event.at})
            RETURNING task_id)
          SELECT pg_notify(${CHANNELS.taskEvents}, task_id) FROM appended`.execute(db);
        return;
      }
      await db
        .insertInto('task_events')
        .values({
          task_id: taskId,
          seq: event.seq,
          event: event.event,
          data: JSON.stringify(event.data),
          at: event.at,
        })
        .execute();
    },
    async events(taskId, afterSeq) {
      const rows = await db
        .selectFrom('task_events')
        .select(['seq', 'event', 'data', 'at'])
        .where('task_id', '=', taskId)
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .execute();
      return rows.map((row) => ({ seq: row.seq, event: row.event, data: JSON.parse(row.data), at: row.at }));
    },
    async failRunning(result, at) {
      let query = db
        .updateTable('tasks')
        .set({ status: 'failed', result: JSON.stringify(result), updated_at: at })
        .where('status', '=', 'running');
      if (instanceId !== null) query = query.where('instance_id', '=', instanceId);
      const outcome = await query.executeTakeFirst();
      return Number(outcome.numUpdatedRows);
    },
  };
}

function toTask(row: Selectable<TasksTable>): StoredTask {
  return {
    id: row.id,
    ownerId: row.owner_id,
    status: row.status,
    request: JSON.parse(row.request) as unknown,
    result: row.result === null ? null : (JSON.parse(row.result) as unknown),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
