import { type Kysely, type Selectable, sql } from 'kysely';
import type { ResponsesStore, StoredResponse } from '../contract/ports/responses.js';
import type { ResponsesTable, StoreSchema } from './schema.js';

/** Stored responses on either engine (migration 0005); items and response kept as JSON text. */
export function createResponsesStore(db: Kysely<StoreSchema>): ResponsesStore {
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
      const result = await db.deleteFrom('responses').where('expires_at', '<=', now).executeTakeFirst();
      return Number(result.numDeletedRows);
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
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}
