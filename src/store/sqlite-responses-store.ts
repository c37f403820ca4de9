import type { StoreDatabase } from './database.js';
import type { ResponsesStore, StoredResponse } from './responses-store.js';

interface Row {
  id: string;
  owner_id: string;
  previous_response_id: string | null;
  input_items: string;
  response: string;
  created_at: number;
  expires_at: number;
}

/** The embedded store's responses table (schema in database.ts). */
export function createSqliteResponsesStore(db: StoreDatabase): ResponsesStore {
  const insert = db.prepare(
    `INSERT INTO responses (id, owner_id, previous_response_id, input_items, response, created_at, expires_at)
     VALUES (@id, @ownerId, @previousResponseId, @inputItems, @response, @createdAt, @expiresAt)`,
  );
  const select = db.prepare<[string, string, number], Row>(
    'SELECT * FROM responses WHERE id = ? AND owner_id = ? AND expires_at > ?',
  );
  const extendOne = db.prepare(
    'UPDATE responses SET expires_at = MAX(expires_at, ?) WHERE id = ? AND owner_id = ?',
  );
  const remove = db.prepare('DELETE FROM responses WHERE id = ? AND owner_id = ?');
  const sweep = db.prepare('DELETE FROM responses WHERE expires_at <= ?');
  const extendAll = db.transaction((ids: readonly string[], ownerId: string, expiresAt: number) => {
    for (const id of ids) extendOne.run(expiresAt, id, ownerId);
  });

  return {
    async save(record) {
      insert.run({
        ...record,
        inputItems: JSON.stringify(record.inputItems),
        response: JSON.stringify(record.response),
      });
    },
    async get(id, ownerId, now) {
      const row = select.get(id, ownerId, now);
      return row && toRecord(row);
    },
    async extend(ids, ownerId, expiresAt) {
      extendAll(ids, ownerId, expiresAt);
    },
    async delete(id, ownerId) {
      return remove.run(id, ownerId).changes > 0;
    },
    async sweep(now) {
      return sweep.run(now).changes;
    },
  };
}

function toRecord(row: Row): StoredResponse {
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
