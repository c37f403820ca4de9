import { type Kysely, type Selectable, sql } from 'kysely';
import type { ChatCompletionStore, StoredChatCompletion } from '../contract/ports/chat-completions.js';
import type { StoreEngine } from './engine.js';
import type { ChatCompletionsTable, StoreSchema } from './schema.js';

/** Chat completions stored with `store: true`, on either engine (migration 0010), as JSON text. */
export function createChatCompletionStore(db: Kysely<StoreSchema>, engine: StoreEngine): ChatCompletionStore {
  /** A metadata key holding a value; bound parameters, whatever the key (no JSON path is built). */
  const hasMetadata = (key: string, value: string) =>
    engine === 'postgres'
      ? sql<boolean>`(metadata::jsonb ->> ${key}) = ${value}`
      : sql<boolean>`EXISTS (SELECT 1 FROM json_each(metadata) WHERE json_each.key = ${key} AND json_each.value = ${value})`;

  return {
    async save(record) {
      await db
        .insertInto('chat_completions')
        .values({
          id: record.id,
          owner_id: record.ownerId,
          model: record.model,
          metadata: JSON.stringify(record.metadata),
          completion: JSON.stringify(record.completion),
          messages: JSON.stringify(record.messages),
          created_at: record.createdAt,
          expires_at: record.expiresAt,
        })
        .execute();
    },
    async get(id, ownerId, now) {
      const row = await db
        .selectFrom('chat_completions')
        .selectAll()
        .where('id', '=', id)
        .where('owner_id', '=', ownerId)
        .where('expires_at', '>', now)
        .executeTakeFirst();
      return row && toRecord(row);
    },
    async list(query) {
      const ascending = query.order === 'asc';
      let select = db
        .selectFrom('chat_completions')
        .selectAll()
        .where('owner_id', '=', query.ownerId)
        .where('expires_at', '>', query.now);
      if (query.model !== undefined) select = select.where('model', '=', query.model);
      for (const [key, value] of Object.entries(query.metadata ?? {})) {
        select = select.where(hasMetadata(key, value));
      }
      const after = query.after;
      if (after) {
        const beyond = ascending ? '>' : '<';
        select = select.where((eb) =>
          eb.or([
            eb('created_at', beyond, after.createdAt),
            eb.and([eb('created_at', '=', after.createdAt), eb('id', beyond, after.id)]),
          ]),
        );
      }
      const direction = ascending ? 'asc' : 'desc';
      const rows = await select
        .orderBy('created_at', direction)
        .orderBy('id', direction)
        .limit(query.limit)
        .execute();
      return rows.map(toRecord);
    },
    async updateMetadata(id, ownerId, metadata) {
      const result = await db
        .updateTable('chat_completions')
        .set({ metadata: JSON.stringify(metadata) })
        .where('id', '=', id)
        .where('owner_id', '=', ownerId)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },
    async delete(id, ownerId) {
      const result = await db
        .deleteFrom('chat_completions')
        .where('id', '=', id)
        .where('owner_id', '=', ownerId)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
    async sweep(now) {
      const result = await db
        .deleteFrom('chat_completions')
        .where('expires_at', '<=', now)
        .executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}

function toRecord(row: Selectable<ChatCompletionsTable>): StoredChatCompletion {
  return {
    id: row.id,
    ownerId: row.owner_id,
    model: row.model,
    metadata: JSON.parse(row.metadata) as Record<string, string>,
    completion: JSON.parse(row.completion) as unknown,
    messages: JSON.parse(row.messages) as unknown[],
    createdAt: row.created_at,
    expiresAt: row.expires_at,
  };
}
