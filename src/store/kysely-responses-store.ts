import { type Kysely, type Selectable, sql } from 'kysely';
import { CHANNELS } from '../contract/ports/notifications.js';
import {
  type ResponsesStore,
  RUNNING_RESPONSE_STATUSES,
  type StoredResponse,
} from '../contract/ports/responses.js';
import type { ResponsesTable, StoreSchema } from './schema.js';

export interface ResponsesStoreOptions {
  /**
   * The gateway whose background responses `running` lists. Set on a shared database, so a gateway
   * starting fails only the responses it left running; left out on the embedded SQLite file.
   */
  instanceId?: string;
  /**
   * PostgreSQL only: every append also NOTIFYs `CHANNELS.responseEvents` with the response id (in
   * the same statement), so gateways following the log elsewhere read it at once.
   */
  notifyAppends?: boolean;
}

/**
 * Stored responses on either engine (migrations 0005 and 0010); items, response and events kept as
 * JSON text.
 */
export function createResponsesStore(
  db: Kysely<StoreSchema>,
  options: ResponsesStoreOptions = {},
): ResponsesStore {
  const instanceId = options.instanceId ?? null;
  return {
    async save(record) {
      await db
        .insertInto('responses')
        .values({
          id: record.id,
          owner_id: record.ownerId,
          previous_response_id: record.previousResponseId,
          input_items: JSON.stringify(record.inputItems),
          response: JSON.stringify(record.response),
          created_at: record.createdAt,
          expires_at: record.expiresAt,
          status: record.status,
          background: record.background ? 1 : 0,
          instance_id: record.background ? instanceId : null,
        })
        .execute();
    },
    async get(id, ownerId, now) {
      const row = await db
        .selectFrom('responses')
        .selectAll()
        .where('id', '=', id)
        .where('owner_id', '=', ownerId)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return row && toRecord(row);
    },
    async update(id, response, status) {
      const result = await db
        .updateTable('responses')
        .set({ response: JSON.stringify(response), status })
        .where('id', '=', id)
        .where('status', 'in', [...RUNNING_RESPONSE_STATUSES])
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async extend(ids, ownerId, expiresAt) {
      if (ids.length === 0) return;
      // Never shortens: a response already kept longer stays so.
      await db
        .updateTable('responses')
        .set({ expires_at: sql`CASE WHEN expires_at > ${expiresAt} THEN expires_at ELSE ${expiresAt} END` })
        .where('id', 'in', [...ids])
        .where('owner_id', '=', ownerId)
        .execute();
    },
    async delete(id, ownerId) {
      const result = await db
        .deleteFrom('responses')
        .where('id', '=', id)
        .where('owner_id', '=', ownerId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async sweep(now) {
      // Event logs go with their response (ON DELETE CASCADE on both engines).
      const result = await db.deleteFrom('responses').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
    async appendEvent(responseId, event) {
      const text = JSON.stringify(event.event);
      if (options.notifyAppends) {
        await sql`WITH appended AS (
            INSERT INTO response_events (response_id, seq, event) VALUES (${responseId}, ${event.seq}, ${text})
            RETURNING response_id)
          SELECT pg_notify(${CHANNELS.responseEvents}, response_id) FROM appended`.execute(db);
        return;
      }
      await db
        .insertInto('response_events')
        .values({ response_id: responseId, seq: event.seq, event: text })
        .execute();
    },
    async events(responseId, afterSeq) {
      const rows = await db
        .selectFrom('response_events')
        .select(['seq', 'event'])
        .where('response_id', '=', responseId)
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .execute();
      return rows.map((row) => ({ seq: row.seq, event: JSON.parse(row.event) as unknown }));
    },
    async running() {
      let query = db
        .selectFrom('responses')
        .selectAll()
        .where('background', '=', 1)
        .where('status', 'in', [...RUNNING_RESPONSE_STATUSES]);
      if (instanceId !== null) query = query.where('instance_id', '=', instanceId);
      return (await query.execute()).map(toRecord);
    },
  };
}

function toRecord(row: Selectable<ResponsesTable>): StoredResponse {
  return {
    id: row.id,
    ownerId: row.owner_id,
    previousResponseId: row.previous_response_id,
    inputItems: JSON.parse(row.input_items) as unknown[],
    response: JSON.parse(row.response) as unknown,
    status: row.status,
    background: Number(row.background) === 1,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}
