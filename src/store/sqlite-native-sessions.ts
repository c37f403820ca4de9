import type { AgentSettings } from '../claude/run-plan.js';
import type { RunUsage } from '../core/run-events.js';
import type { StoreDatabase } from './database.js';
import type { NativeSessionRecord, NativeSessionStore, NativeTurnRecord } from './native-sessions.js';

// Created here rather than as a numbered step in database.ts: the tables belong to this port alone,
// `IF NOT EXISTS` keeps it idempotent, and other stores' migrations can be appended independently.
const SCHEMA = `
  CREATE TABLE IF NOT EXISTS native_sessions (
    id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL,
    model TEXT NOT NULL,
    system_prompt TEXT,
    agent TEXT,
    created_at INTEGER NOT NULL,
    last_activity_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    usage TEXT NOT NULL,
    cost_usd REAL NOT NULL DEFAULT 0,
    message_count INTEGER NOT NULL DEFAULT 0
  );
  CREATE INDEX IF NOT EXISTS native_sessions_owner ON native_sessions(owner_id, last_activity_at);
  CREATE INDEX IF NOT EXISTS native_sessions_expires ON native_sessions(expires_at);
  CREATE TABLE IF NOT EXISTS native_session_messages (
    session_id TEXT NOT NULL REFERENCES native_sessions(id) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    role TEXT NOT NULL,
    content TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (session_id, seq)
  );
`;

interface SessionRow {
  id: string;
  owner_id: string;
  model: string;
  system_prompt: string | null;
  agent: string | null;
  created_at: number;
  last_activity_at: number;
  expires_at: number;
  usage: string;
  cost_usd: number;
  message_count: number;
}

interface MessageRow {
  role: 'user' | 'assistant';
  content: string;
  at: number;
}

/** The native sessions in the gateway's SQLite file (better-sqlite3 is synchronous; the port is not). */
export function sqliteNativeSessions(db: StoreDatabase): NativeSessionStore {
  db.exec(SCHEMA);
  const insert = db.prepare(
    `INSERT INTO native_sessions (id, owner_id, model, system_prompt, agent, created_at, last_activity_at,
       expires_at, usage, cost_usd, message_count)
     VALUES (@id, @owner_id, @model, @system_prompt, @agent, @created_at, @last_activity_at, @expires_at,
       @usage, @cost_usd, @message_count)`,
  );
  const byId = db.prepare<[string], SessionRow>('SELECT * FROM native_sessions WHERE id = ?');
  const byOwner = db.prepare<[string], SessionRow>(
    'SELECT * FROM native_sessions WHERE owner_id = ? ORDER BY last_activity_at, created_at',
  );
  const all = db.prepare<[], SessionRow>(
    'SELECT * FROM native_sessions ORDER BY last_activity_at, created_at',
  );
  const countOwner = db.prepare<[string], { n: number }>(
    'SELECT COUNT(*) AS n FROM native_sessions WHERE owner_id = ?',
  );
  const countAll = db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM native_sessions');
  const messagesOf = db.prepare<[string], MessageRow>(
    'SELECT role, content, at FROM native_session_messages WHERE session_id = ? ORDER BY seq',
  );
  const appendMessage = db.prepare(
    'INSERT INTO native_session_messages (session_id, seq, role, content, at) VALUES (?, ?, ?, ?, ?)',
  );
  const updateAfterTurn = db.prepare(
    `UPDATE native_sessions SET last_activity_at = ?, expires_at = ?, usage = ?, cost_usd = ?,
       message_count = ? WHERE id = ?`,
  );
  const touch = db.prepare('UPDATE native_sessions SET last_activity_at = ?, expires_at = ? WHERE id = ?');
  const remove = db.prepare('DELETE FROM native_sessions WHERE id = ?');
  const expired = db.prepare<[number], SessionRow>('SELECT * FROM native_sessions WHERE expires_at <= ?');

  const recordTurn = db.transaction((id: string, turn: NativeTurnRecord) => {
    const row = byId.get(id);
    if (!row) return;
    let seq = row.message_count;
    for (const message of [turn.user, turn.assistant]) {
      appendMessage.run(id, seq++, message.role, message.content, message.at);
    }
    const usage = addUsage(JSON.parse(row.usage) as RunUsage, turn.usage);
    updateAfterTurn.run(
      turn.assistant.at,
      turn.expiresAt,
      JSON.stringify(usage),
      row.cost_usd + turn.costUsd,
      seq,
      id,
    );
  });

  return {
    async create(record) {
      insert.run(toRow(record));
    },
    async get(id) {
      const row = byId.get(id);
      return row ? fromRow(row) : undefined;
    },
    async list(ownerId) {
      return (ownerId === undefined ? all.all() : byOwner.all(ownerId)).map(fromRow);
    },
    async count(ownerId) {
      return (ownerId === undefined ? countAll.get() : countOwner.get(ownerId))?.n ?? 0;
    },
    async messages(id) {
      return messagesOf.all(id).map((row) => ({ role: row.role, content: row.content, at: row.at }));
    },
    async recordTurn(id, turn) {
      recordTurn(id, turn);
    },
    async delete(id) {
      return remove.run(id).changes > 0;
    },
    async touch(id, at, expiresAt) {
      touch.run(at, expiresAt, id);
    },
    async expired(now) {
      return expired.all(now).map(fromRow);
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

function toRow(record: NativeSessionRecord): SessionRow {
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

function fromRow(row: SessionRow): NativeSessionRecord {
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
