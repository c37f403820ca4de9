import type { Kysely, Selectable } from 'kysely';
import type { NativeSessionRecord, NativeSessionStore } from '../contract/ports/native-sessions.js';
import type { RunUsage } from '../contract/run-events.js';
import type { AgentSettings } from '../contract/run-plan.js';
import type { NativeSessionsTable, StoreSchema } from './schema.js';

const CREATED = 'native_sessions_created';

/** The native API's sessions on either engine (migration 0006); usage and agent kept as JSON text. */
export function createNativeSessionStore(db: Kysely<StoreSchema>): NativeSessionStore {
  return {
    async create(record) {
      await db.transaction().execute(async (trx) => {
        await trx.insertInto('native_sessions').values(toRow(record)).execute();
        await trx
          .insertInto('store_counters')
          .values({ name: CREATED, value: 1 })
          .onConflict((oc) =>
            oc.column('name').doUpdateSet((eb) => ({ value: eb('store_counters.value', '+', 1) })),
          )
          .execute();
      });
    },
    async createdCount() {
      const row = await db
        .selectFrom('store_counters')
        .select('value')
        .where('name', '=', CREATED)
        .executeTakeFirst();
      return Number(row?.value ?? 0);
    },
    async get(id) {
      const row = await db.selectFrom('native_sessions').selectAll().where('id', '=', id).executeTakeFirst();
      return row && fromRow(row);
    },
    async list(ownerId) {
      let query = db.selectFrom('native_sessions').selectAll();
      if (ownerId !== undefined) query = query.where('owner_id', '=', ownerId);
      const rows = await query.orderBy('last_activity_at').orderBy('created_at').orderBy('id').execute();
      return rows.map(fromRow);
    },
    async count(ownerId) {
      let query = db.selectFrom('native_sessions').select((eb) => eb.fn.countAll<number>().as('n'));
      if (ownerId !== undefined) query = query.where('owner_id', '=', ownerId);
      const row = await query.executeTakeFirst();
      return Number(row?.n ?? 0);
    },
    async messages(id) {
      return db
        .selectFrom('native_session_messages')
        .select(['role', 'content', 'at'])
        .where('session_id', '=', id)
        .orderBy('seq')
        .execute();
    },
    async recordTurn(id, turn) {
      await db.transaction().execute(async (trx) => {
        // Counting first claims the row (PostgreSQL holds its lock until commit), so two gateways
        // recording turns of one session at once get distinct message numbers.
        const claimed = await trx
          .updateTable('native_sessions')
          .set((eb) => ({
            message_count: eb('message_count', '+', 2),
            cost_usd: eb('cost_usd', '+', turn.costUsd),
            last_activity_at: turn.assistant.at,
            expires_at: turn.expiresAt,
          }))
          .where('id', '=', id)
          .returning(['message_count', 'usage'])
          .executeTakeFirst();
        if (!claimed) return;
        const first = claimed.message_count - 2;
        await trx
          .insertInto('native_session_messages')
          .values(
            [turn.user, turn.assistant].map((message, index) => ({
              session_id: id,
              seq: first + index,
              role: message.role,
              content: message.content,
              at: message.at,
            })),
          )
          .execute();
        const usage = addUsage(JSON.parse(claimed.usage) as RunUsage, turn.usage);
        await trx
          .updateTable('native_sessions')
          .set({ usage: JSON.stringify(usage) })
          .where('id', '=', id)
          .execute();
      });
    },
    async delete(id) {
      // Explicitly, not only by the foreign key's cascade: SQLite files may predate the constraint.
      return db.transaction().execute(async (trx) => {
        await trx.deleteFrom('native_session_messages').where('session_id', '=', id).execute();
        const result = await trx.deleteFrom('native_sessions').where('id', '=', id).executeTakeFirst();
        return Number(result.numDeletedRows) > 0;
      });
    },
    async touch(id, at, expiresAt) {
      await db
        .updateTable('native_sessions')
        .set({ last_activity_at: at, expires_at: expiresAt })
        .where('id', '=', id)
        .execute();
    },
    async expired(now) {
      const rows = await db
        .selectFrom('native_sessions')
        .selectAll()
        .where('expires_at', '<=', now)
        .orderBy('expires_at')
        .execute();
      return rows.map(fromRow);
    },
  };
}

function addUsage(a: RunUsage, b: RunUsage): RunUsage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    cacheReadInputTokens: a.cacheReadInputTokens + b.cacheReadInputTokens,
    cacheCreationInputTokens: a.cacheCreationInputTokens + b.cacheCreationInputTokens,
    reasoningTokens: a.reasoningTokens + b.reasoningTokens,
  };
}

function toRow(record: NativeSessionRecord): Selectable<NativeSessionsTable> {
  return {
    id: record.id,
    owner_id: record.ownerId,
    model: record.model,
    system_prompt: record.systemPrompt ?? null,
    agent: record.agent ? JSON.stringify(record.agent) : null,
    created_at: record.createdAt,
    last_activity_at: record.lastActivityAt,
    expires_at: record.expiresAt,
    usage: JSON.stringify(record.usage),
    cost_usd: record.costUsd,
    message_count: record.messageCount,
  };
}

function fromRow(row: Selectable<NativeSessionsTable>): NativeSessionRecord {
  const record: NativeSessionRecord = {
    id: row.id,
    ownerId: row.owner_id,
    model: row.model,
    createdAt: row.created_at,
    lastActivityAt: row.last_activity_at,
    expiresAt: row.expires_at,
    usage: JSON.parse(row.usage) as RunUsage,
    costUsd: row.cost_usd,
    messageCount: row.message_count,
  };
  if (row.system_prompt !== null) record.systemPrompt = row.system_prompt;
  if (row.agent !== null) record.agent = JSON.parse(row.agent) as AgentSettings;
  return record;
}
