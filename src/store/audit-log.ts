import { type ExpressionBuilder, type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import type { AuditEntry, AuditLog, AuditRow } from '../contract/ports/audit.js';
import type { StoreEngine } from './engine.js';
import type { AuditLogTable, StoreSchema } from './schema.js';

export interface AuditLogOptions {
  /** This gateway's INSTANCE_ID on a shared database: the running rows a restart takes over. */
  instanceId?: string;
}

export function createAuditLog(
  db: Kysely<StoreSchema>,
  engine: StoreEngine,
  options: AuditLogOptions = {},
): AuditLog {
  const instanceId = options.instanceId ?? null;
  // The only engine-specific SQL: the UTC day of an epoch-ms instant.
  const day =
    engine === 'postgres'
      ? sql<string>`to_char(to_timestamp(a.at / 1000.0) AT TIME ZONE 'UTC', 'YYYY-MM-DD')`
      : sql<string>`strftime('%Y-%m-%d', a.at / 1000, 'unixepoch')`;

  const append = async (entry: AuditEntry) => {
    const row = toRow(entry);
    if (entry.costUsd <= 0) {
      await db.insertInto('audit_log').values(row).execute();
      return;
    }
    // The cost is added in the database, not read-modify-write: instances charge one key at once.
    if (engine === 'postgres') {
      // One statement, one round trip: the row and the charge commit together (a data-modifying
      // CTE runs whether or not the outer statement reads it).
      await db
        .with('entry', (cte) => cte.insertInto('audit_log').values(row).returning('id'))
        .updateTable('api_keys')
        .set((eb) => ({ spent_usd: eb('spent_usd', '+', entry.costUsd) }))
        .where('id', '=', entry.keyId)
        .execute();
      return;
    }
    // SQLite has no data-modifying CTEs; its local transaction costs no round trips.
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('audit_log').values(row).execute();
      await charge(trx, entry.keyId, entry.costUsd);
    });
  };

  /** Completes the running row `runKey` names and charges it; false when there is none (never written). */
  const complete = async (entry: AuditEntry, runKey: string): Promise<boolean> => {
    const row = { ...toRow(entry), running: 0 };
    if (engine === 'postgres') {
      const { n } = await db
        .with('entry', (cte) =>
          cte
            .updateTable('audit_log')
            .set(row)
            .where('run_key', '=', runKey)
            .where('running', '=', 1)
            .returning('id'),
        )
        .with('charge', (cte) =>
          cte
            .updateTable('api_keys')
            .set((eb) => ({ spent_usd: eb('spent_usd', '+', entry.costUsd) }))
            .where('id', '=', entry.keyId)
            .where((eb) => eb.exists(eb.selectFrom('entry').select('entry.id')))
            .returning('api_keys.id'),
        )
        .selectFrom('entry')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(n) > 0;
    }
    return db.transaction().execute(async (trx) => {
      const updated = await trx
        .updateTable('audit_log')
        .set(row)
        .where('run_key', '=', runKey)
        .where('running', '=', 1)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) === 0) return false;
      await charge(trx, entry.keyId, entry.costUsd);
      return true;
    });
  };

  return {
    async record(entry) {
      if (entry.runKey !== undefined && (await complete(entry, entry.runKey))) return;
      await append(entry);
    },

    async begin(entry) {
      await db
        .insertInto('audit_log')
        .values({ ...toRow(entry), running: 1, instance_id: instanceId })
        .execute();
    },

    async progress(runKey, progress) {
      await db
        .updateTable('audit_log')
        .set({
          prompt_tokens: progress.promptTokens,
          completion_tokens: progress.completionTokens,
          cost_usd: progress.costUsd,
          duration_ms: Math.round(progress.durationMs),
        })
        .where('run_key', '=', runKey)
        .where('running', '=', 1)
        .execute();
    },

    async interruptRunning(outcome) {
      return db.transaction().execute(async (trx) => {
        let query = trx
          .updateTable('audit_log')
          .set({ running: 0, status: outcome.status, error_code: outcome.errorCode })
          .where('running', '=', 1);
        if (instanceId !== null) query = query.where('instance_id', '=', instanceId);
        const rows = await query.returning(['key_id', 'cost_usd']).execute();
        const spent = new Map<string, number>();
        for (const row of rows) spent.set(row.key_id, (spent.get(row.key_id) ?? 0) + row.cost_usd);
        for (const [keyId, costUsd] of spent) await charge(trx, keyId, costUsd);
        return rows.length;
      });
    },

    async usage(from, to) {
      const rows = await db
        .selectFrom('audit_log as a')
        .leftJoin('api_keys as k', 'k.id', 'a.key_id')
        .select((eb) => ['a.key_id as keyId', 'k.name as keyName', day.as('day'), ...totals(eb)])
        .where('a.at', '>=', from)
        .where('a.at', '<', to)
        .where('a.running', '=', 0)
        .groupBy(['a.key_id', 'k.name', day])
        .orderBy('day')
        .orderBy('a.key_id')
        .execute();
      return rows.map((row) => ({ keyId: row.keyId, keyName: row.keyName, day: row.day, ...numbers(row) }));
    },

    async usageByAccount(from, to) {
      const rows = await db
        .selectFrom('audit_log as a')
        .select((eb) => ['a.account as account', day.as('day'), ...totals(eb)])
        .where('a.at', '>=', from)
        .where('a.at', '<', to)
        .where('a.running', '=', 0)
        .groupBy(['a.account', day])
        .orderBy('day')
        // Runs without an account last, on both engines (they sort NULL at opposite ends).
        .orderBy((eb) => eb('a.account', 'is', null))
        .orderBy('a.account')
        .execute();
      return rows.map((row) => ({ account: row.account, day: row.day, ...numbers(row) }));
    },

    async search(filter) {
      let query = db.selectFrom('audit_log');
      if (filter.from !== undefined) query = query.where('at', '>=', filter.from);
      if (filter.to !== undefined) query = query.where('at', '<', filter.to);
      if (filter.keyId) query = query.where('key_id', '=', filter.keyId);
      if (filter.model) query = query.where('model', '=', filter.model);
      const prefixes = filter.pathPrefixes ?? [];
      if (prefixes.length > 0) {
        // substr/length compare literally on both engines (LIKE would treat `_` and `%` as wildcards).
        query = query.where((eb) =>
          eb.or(prefixes.map((prefix) => eb(sql`substr(path, 1, ${prefix.length})`, '=', prefix))),
        );
      }
      if (filter.outcome === 'error') query = query.where('status', '>=', 400);
      if (filter.outcome === 'ok') query = query.where('status', '<', 400);
      const [{ n }, rows] = await Promise.all([
        query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
        query.selectAll().orderBy('id', 'desc').limit(filter.limit).offset(filter.offset).execute(),
      ]);
      return { rows: rows.map(fromStoredRow), total: Number(n) };
    },

    async find(requestId) {
      const row = await db
        .selectFrom('audit_log')
        .selectAll()
        .where('request_id', '=', requestId)
        .orderBy('id', 'desc')
        .limit(1)
        .executeTakeFirst();
      return row ? fromStoredRow(row) : undefined;
    },

    async recent(limit) {
      const rows = await db.selectFrom('audit_log').selectAll().orderBy('id', 'desc').limit(limit).execute();
      return rows.map((row) => {
        const { id: _id, ...entry } = fromStoredRow(row);
        return entry;
      });
    },
  };
}

/** Adds a cost to a key's spend in the database (keys from the environment have no row: a no-op). */
async function charge(db: Kysely<StoreSchema>, keyId: string, costUsd: number): Promise<void> {
  if (costUsd <= 0) return;
  await db
    .updateTable('api_keys')
    .set((eb) => ({ spent_usd: eb('spent_usd', '+', costUsd) }))
    .where('id', '=', keyId)
    .execute();
}

/** What a usage report sums per group: ended runs only (a running row is not charged yet). */
function totals(eb: ExpressionBuilder<{ a: AuditLogTable }, 'a'>) {
  return [
    eb.fn.countAll<number>().as('requests'),
    eb.fn.sum<number>(eb.case().when('a.status', '>=', 400).then(1).else(0).end()).as('errors'),
    eb.fn.sum<number>('a.prompt_tokens').as('promptTokens'),
    eb.fn.sum<number>('a.completion_tokens').as('completionTokens'),
    eb.fn.sum<number>('a.cost_usd').as('costUsd'),
  ] as const;
}

/** Both drivers may return sums as strings (PostgreSQL's numeric, bigint). */
function numbers(row: {
  requests: unknown;
  errors: unknown;
  promptTokens: unknown;
  completionTokens: unknown;
  costUsd: unknown;
}) {
  return {
    requests: Number(row.requests),
    errors: Number(row.errors),
    promptTokens: Number(row.promptTokens),
    completionTokens: Number(row.completionTokens),
    costUsd: Number(row.costUsd),
  };
}

function fromStoredRow(row: Selectable<AuditLogTable>): AuditRow {
  return {
    id: Number(row.id),
    at: row.at,
    requestId: row.request_id,
    keyId: row.key_id,
    method: row.method,
    path: row.path,
    model: row.model,
    stream: row.stream === 1,
    status: row.status,
    errorCode: row.error_code,
    promptTokens: row.prompt_tokens,
    completionTokens: row.completion_tokens,
    costUsd: row.cost_usd,
    durationMs: row.duration_ms,
    timeToFirstChunkMs: row.time_to_first_chunk_ms,
    queueWaitMs: row.queue_wait_ms,
    prompt: row.prompt,
    ...(row.account !== null ? { account: row.account } : {}),
    ...(row.run_key !== null ? { runKey: row.run_key } : {}),
    ...(row.running === 1 ? { running: true as const } : {}),
  };
}

function toRow(entry: AuditEntry): Insertable<AuditLogTable> {
  return {
    at: entry.at,
    request_id: entry.requestId,
    key_id: entry.keyId,
    method: entry.method,
    path: entry.path,
    model: entry.model,
    stream: entry.stream ? 1 : 0,
    status: entry.status,
    error_code: entry.errorCode,
    prompt_tokens: entry.promptTokens,
    completion_tokens: entry.completionTokens,
    cost_usd: entry.costUsd,
    duration_ms: Math.round(entry.durationMs),
    time_to_first_chunk_ms: roundOrNull(entry.timeToFirstChunkMs),
    queue_wait_ms: roundOrNull(entry.queueWaitMs),
    prompt: entry.prompt,
    account: entry.account ?? null,
    run_key: entry.runKey ?? null,
  };
}

function roundOrNull(value: number | null): number | null {
  return value === null ? null : Math.round(value);
}
