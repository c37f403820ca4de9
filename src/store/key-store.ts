import { randomBytes } from 'node:crypto';
import { displayPrefix, generateApiKey, hashApiKey } from '../auth/api-key.js';
import type { KeyPolicy } from '../policy/key-policy.js';
import type { StoreDatabase } from './database.js';

export interface ApiKeyRecord {
  id: string;
  name: string;
  /** The first characters of the key, for telling keys apart; never enough to use it. */
  prefix: string;
  admin: boolean;
  policy: KeyPolicy;
  spentUsd: number;
  createdAt: number;
  revokedAt: number | null;
}

export interface NewApiKey {
  name: string;
  admin?: boolean;
  policy?: KeyPolicy;
}

interface ApiKeyRow {
  id: string;
  name: string;
  key_hash: string;
  key_prefix: string;
  admin: number;
  rpm: number | null;
  concurrency: number | null;
  budget_usd: number | null;
  models: string | null;
  agent_tools: string | null;
  profile: string | null;
  spent_usd: number;
  created_at: number;
  revoked_at: number | null;
}

export class DuplicateKeyNameError extends Error {}

/** API keys in SQLite. Only SHA-256 digests are stored; the key itself is shown once, at creation. */
export class KeyStore {
  readonly #db: StoreDatabase;
  readonly #now: () => number;

  constructor(db: StoreDatabase, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
  }

  /** Returns the new record and the key, which is not stored and cannot be recovered later. */
  create(input: NewApiKey): { record: ApiKeyRecord; key: string } {
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
      spent_usd: 0,
      created_at: this.#now(),
      revoked_at: null,
    };
    if (this.#findActiveByName(input.name)) {
      throw new DuplicateKeyNameError(`An active key named '${input.name}' already exists.`);
    }
    this.#db
      .prepare(
        `INSERT INTO api_keys (id, name, key_hash, key_prefix, admin, rpm, concurrency, budget_usd, models,
           agent_tools, profile, spent_usd, created_at, revoked_at)
         VALUES (@id, @name, @key_hash, @key_prefix, @admin, @rpm, @concurrency, @budget_usd, @models,
           @agent_tools, @profile, @spent_usd, @created_at, @revoked_at)`,
      )
      .run(row);
    return { record: toRecord(row), key };
  }

  list(options: { includeRevoked?: boolean } = {}): ApiKeyRecord[] {
    const where = options.includeRevoked ? '' : 'WHERE revoked_at IS NULL';
    const rows = this.#db
      .prepare(`SELECT * FROM api_keys ${where} ORDER BY created_at, id`)
      .all() as ApiKeyRow[];
    return rows.map(toRecord);
  }

  /** The active key with this digest, if any. */
  findByHash(keyHash: string): (ApiKeyRecord & { keyHash: string }) | undefined {
    const row = this.#db
      .prepare('SELECT * FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL')
      .get(keyHash) as ApiKeyRow | undefined;
    return row ? { ...toRecord(row), keyHash: row.key_hash } : undefined;
  }

  get(id: string): ApiKeyRecord | undefined {
    const row = this.#db.prepare('SELECT * FROM api_keys WHERE id = ?').get(id) as ApiKeyRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** Keys in the store; revoked ones count only when asked for. */
  count(options: { includeRevoked?: boolean } = {}): number {
    const where = options.includeRevoked ? '' : 'WHERE revoked_at IS NULL';
    const row = this.#db.prepare(`SELECT COUNT(*) AS n FROM api_keys ${where}`).get() as { n: number };
    return row.n;
  }

  /** Revokes by id or by the name of an active key; returns the revoked record, or undefined. */
  revoke(idOrName: string): ApiKeyRecord | undefined {
    const target =
      (this.#db.prepare('SELECT * FROM api_keys WHERE id = ? AND revoked_at IS NULL').get(idOrName) as
        | ApiKeyRow
        | undefined) ?? this.#findActiveByName(idOrName);
    if (!target) return undefined;
    const revokedAt = this.#now();
    this.#db.prepare('UPDATE api_keys SET revoked_at = ? WHERE id = ?').run(revokedAt, target.id);
    return toRecord({ ...target, revoked_at: revokedAt });
  }

  #findActiveByName(name: string): ApiKeyRow | undefined {
    return this.#db.prepare('SELECT * FROM api_keys WHERE name = ? AND revoked_at IS NULL').get(name) as
      | ApiKeyRow
      | undefined;
  }
}

function toRecord(row: ApiKeyRow): ApiKeyRecord {
  const policy: KeyPolicy = {};
  if (row.rpm !== null) policy.rpm = row.rpm;
  if (row.concurrency !== null) policy.concurrency = row.concurrency;
  if (row.budget_usd !== null) policy.budgetUsd = row.budget_usd;
  if (row.models !== null) policy.models = parseStringList(row.models);
  if (row.agent_tools !== null) policy.agentTools = parseStringList(row.agent_tools);
  if (row.profile !== null) policy.profile = row.profile;
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
