import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type StoreDatabase = Database.Database;

/**
 * Schema versions, applied in order and recorded in `user_version`. Never edit a shipped step:
 * append a new one, so every existing gateway.db upgrades the same way.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    key_prefix TEXT NOT NULL,
    admin INTEGER NOT NULL DEFAULT 0,
    rpm INTEGER,
    concurrency INTEGER,
    budget_usd REAL,
    models TEXT,
    agent_tools TEXT,
    spent_usd REAL NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    revoked_at INTEGER
  );
  CREATE UNIQUE INDEX api_keys_active_name ON api_keys(name) WHERE revoked_at IS NULL;

  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at INTEGER NOT NULL,
    request_id TEXT NOT NULL,
    key_id TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    model TEXT,
    stream INTEGER NOT NULL DEFAULT 0,
    status INTEGER NOT NULL,
    error_code TEXT,
    prompt_tokens INTEGER NOT NULL DEFAULT 0,
    completion_tokens INTEGER NOT NULL DEFAULT 0,
    cost_usd REAL NOT NULL DEFAULT 0,
    duration_ms INTEGER NOT NULL,
    time_to_first_chunk_ms INTEGER,
    queue_wait_ms INTEGER,
    prompt TEXT
  );
  CREATE INDEX audit_log_at ON audit_log(at);
  CREATE INDEX audit_log_key_at ON audit_log(key_id, at);

  CREATE TABLE readiness_probe (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    checked_at INTEGER NOT NULL
  );
  `,
  // Responses API responses kept for previous_response_id and GET/DELETE /v1/responses/{id}.
  `
  CREATE TABLE responses (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL,
    previous_response_id TEXT,
    input_items TEXT NOT NULL,
    response TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  );
  CREATE INDEX responses_expires_at ON responses(expires_at);
  `,
  // Agentic tasks (issue 11): records and their event logs; the permission profile a key was made with.
  `
  CREATE TABLE tasks (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL,
    status TEXT NOT NULL,
    request TEXT NOT NULL,
    result TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
  );
  CREATE INDEX tasks_owner_created ON tasks(owner_id, created_at);
  CREATE INDEX tasks_status ON tasks(status);

  CREATE TABLE task_events (
    task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    event TEXT NOT NULL,
    data TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (task_id, seq)
  );

  ALTER TABLE api_keys ADD COLUMN profile TEXT;
  `,
];

/**
 * Opens (creating if needed) the gateway's SQLite file and brings its schema up to date. WAL mode
 * and a busy timeout let the `claude-gateway keys` CLI write while the server is running.
 */
export function openStoreDatabase(file: string): StoreDatabase {
  if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

function migrate(db: StoreDatabase): void {
  const current = Number(db.pragma('user_version', { simple: true }));
  for (let version = current; version < MIGRATIONS.length; version++) {
    const step = MIGRATIONS[version];
    if (step === undefined) break;
    db.transaction(() => {
      db.exec(step);
      db.pragma(`user_version = ${version + 1}`);
    })();
  }
}

/** Proves the store accepts writes right now (disk full, read-only volume and locks all fail here). */
export function probeWritable(db: StoreDatabase, now = Date.now()): boolean {
  try {
    db.prepare(
      'INSERT INTO readiness_probe (id, checked_at) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET checked_at = excluded.checked_at',
    ).run(now);
    return true;
  } catch {
    return false;
  }
}
