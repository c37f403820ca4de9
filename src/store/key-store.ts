import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { isReasoningField, type KeyPolicy } from '../contract/key-policy.js';
import type { ApiKeyRecord, KeyStore } from '../contract/ports/keys.js';
import { displayPrefix, generateApiKey, hashApiKey } from '../util/api-key.js';
import type { ApiKeysTable, StoreSchema } from './schema.js';

export class DuplicateKeyNameError extends Error {}

type ApiKeyRow = Selectable<ApiKeysTable>;

/** The key store on either engine: the queries are the same SQL for SQLite and PostgreSQL. */
export function createKeyStore(db: Kysely<StoreSchema>, now: () => number = Date.now): KeyStore {
  const activeByName = (name: string) =>
    db
      .selectFrom('api_keys')
      .selectAll()
      .where('name', '=', name)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
  const duplicate = (name: string) =>
    new DuplicateKeyNameError(`An active key named '${name}' already exists.`);

  return {
    async create(input) {
      const key = generateApiKey();
      const policy = input.policy ?? {};
      const row: ApiKeyRow = {
        id: `key_${randomBytes(8).toString('hex')}`,
        name: input.name,
        key_hash: hashApiKey(key),
        key_prefix: displayPrefix(key),
        admin: input.admin ? 1 : 0,
        rpm: policy.rpm ?? null,
        concurrency: policy.concurrency ?? null,
        budget_usd: policy.budgetUsd ?? null,
        models: policy.models ? JSON.stringify(policy.models) : null,
        agent_tools: policy.agentTools ? JSON.stringify(policy.agentTools) : null,
        profile: policy.profile ?? null,
        accounts: policy.accounts ? JSON.stringify(policy.accounts) : null,
        reasoning_field: policy.reasoningField ?? null,
        spent_usd: 0,
        created_at: now(),
        revoked_at: null,
      };
      if (await activeByName(input.name)) throw duplicate(input.name);
      try {
        await db.insertInto('api_keys').values(row).execute();
      } catch (error) {
        // Two creators raced past the check above: the partial unique index decides.
        if (isUniqueViolation(error)) throw duplicate(input.name);
        throw error;
      }
      return { record: toRecord(row), key };
    },

    async list(options = {}) {
      let query = db.selectFrom('api_keys').selectAll().orderBy('created_at').orderBy('id');
      if (!options.includeRevoked) query = query.where('revoked_at', 'is', null);
      return (await query.execute()).map(toRecord);
    },

    async findByHash(keyHash) {
      const row = await db
        .selectFrom('api_keys')
        .selectAll()
        .where('key_hash', '=', keyHash)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return row ? { ...toRecord(row), keyHash: row.key_hash } : undefined;
    },

    async get(id) {
      const row = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },

    async count(options = {}) {
      let query = db.selectFrom('api_keys').select((eb) => eb.fn.countAll<number>().as('n'));
      if (!options.includeRevoked) query = query.where('revoked_at', 'is', null);
      const row = await query.executeTakeFirstOrThrow();
      return Number(row.n);
    },

    async revoke(idOrName) {
      const revokedAt = now();
      // One conditional UPDATE, so two instances revoking the same key cannot both report it.
      const byId = await db
        .updateTable('api_keys')
        .set({ revoked_at: revokedAt })
        .where('id', '=', idOrName)
        .where('revoked_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      const row =
        byId ??
        (await db
          .updateTable('api_keys')
          .set({ revoked_at: revokedAt })
          .where('name', '=', idOrName)
          .where('revoked_at', 'is', null)
          .returningAll()
          .executeTakeFirst());
      return row ? toRecord(row) : undefined;
    },
  };
}

function toRecord(row: ApiKeyRow): ApiKeyRecord {
  const policy: KeyPolicy = {};
  if (row.rpm !== null) policy.rpm = row.rpm;
  if (row.concurrency !== null) policy.concurrency = row.concurrency;
  if (row.budget_usd !== null) policy.budgetUsd = row.budget_usd;
  if (row.models !== null) policy.models = parseStringList(row.models);
  if (row.agent_tools !== null) policy.agentTools = parseStringList(row.agent_tools);
  if (row.profile !== null) policy.profile = row.profile;
  if (row.accounts !== null) policy.accounts = parseStringList(row.accounts);
  if (isReasoningField(row.reasoning_field)) policy.reasoningField = row.reasoning_field;
  return {
    id: row.id,
    name: row.name,
    prefix: row.key_prefix,
    admin: row.admin === 1,
    policy,
    spentUsd: row.spent_usd,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

function parseStringList(json: string): string[] {
  const value: unknown = JSON.parse(json);
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** SQLite's and PostgreSQL's ways of saying a UNIQUE constraint refused the row. */
function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === '23505';
}
