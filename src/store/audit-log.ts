import type { StoreDatabase } from './database.js';

/** One chat request as the audit log keeps it. Prompt text only when the owner opted in. */
export interface AuditEntry {
  at: number;
  requestId: string;
  keyId: string;
  method: string;
  path: string;
  model: string | null;
  stream: boolean;
  /** HTTP status; for a stream that failed after its first byte, the status of the error it carried. */
  status: number;
  errorCode: string | null;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  durationMs: number;
  timeToFirstChunkMs: number | null;
  queueWaitMs: number | null;
  prompt: string | null;
}

/** Requests and spend of one key on one UTC day. */
export interface UsageRow {
  keyId: string;
  keyName: string | null;
  day: string;
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

export class AuditLog {
  readonly #db: StoreDatabase;

  constructor(db: StoreDatabase) {
    this.#db = db;
  }

  /** Appends the entry and adds its cost to the key's spend, atomically, so budgets match the log. */
  record(entry: AuditEntry): void {
    this.#db.transaction(() => {
      this.#db
        .prepare(
          `INSERT INTO audit_log (at, request_id, key_id, method, path, model, stream, status, error_code,
             prompt_tokens, completion_tokens, cost_usd, duration_ms, time_to_first_chunk_ms, queue_wait_ms, prompt)
           VALUES (@at, @requestId, @keyId, @method, @path, @model, @stream, @status, @errorCode,
             @promptTokens, @completionTokens, @costUsd, @durationMs, @timeToFirstChunkMs, @queueWaitMs, @prompt)`,
        )
        .run({
          ...entry,
          stream: entry.stream ? 1 : 0,
          durationMs: Math.round(entry.durationMs),
          timeToFirstChunkMs: roundOrNull(entry.timeToFirstChunkMs),
          queueWaitMs: roundOrNull(entry.queueWaitMs),
        });
      if (entry.costUsd > 0) {
        this.#db
          .prepare('UPDATE api_keys SET spent_usd = spent_usd + ? WHERE id = ?')
          .run(entry.costUsd, entry.keyId);
      }
    })();
  }

  /** Usage per key and UTC day for entries with `from <= at < to` (epoch ms). */
  usage(from: number, to: number): UsageRow[] {
    return this.#db
      .prepare(
        `SELECT a.key_id AS keyId, k.name AS keyName,
           strftime('%Y-%m-%d', a.at / 1000, 'unixepoch') AS day,
           COUNT(*) AS requests,
           SUM(CASE WHEN a.status >= 400 THEN 1 ELSE 0 END) AS errors,
           SUM(a.prompt_tokens) AS promptTokens,
           SUM(a.completion_tokens) AS completionTokens,
           SUM(a.cost_usd) AS costUsd
         FROM audit_log a LEFT JOIN api_keys k ON k.id = a.key_id
         WHERE a.at >= ? AND a.at < ?
         GROUP BY a.key_id, day
         ORDER BY day, a.key_id`,
      )
      .all(from, to) as UsageRow[];
  }

  /** Entries matching `filter`, newest first, one page of them, and how many match in all. */
  search(filter: AuditFilter): { rows: AuditRow[]; total: number } {
    const where: string[] = [];
    const params: Record<string, string | number> = {};
    if (filter.from !== undefined) {
      where.push('at >= @from');
      params.from = filter.from;
    }
    if (filter.to !== undefined) {
      where.push('at < @to');
      params.to = filter.to;
    }
    if (filter.keyId) {
      where.push('key_id = @keyId');
      params.keyId = filter.keyId;
    }
    if (filter.model) {
      where.push('model = @model');
      params.model = filter.model;
    }
    if (filter.pathPrefixes?.length) {
      const alternatives = filter.pathPrefixes.map((prefix, index) => {
        params[`path${index}`] = prefix;
        return `substr(path, 1, length(@path${index})) = @path${index}`;
      });
      where.push(`(${alternatives.join(' OR ')})`);
    }
    if (filter.outcome === 'error') where.push('status >= 400');
    if (filter.outcome === 'ok') where.push('status < 400');
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : '';
    const total = this.#db.prepare(`SELECT COUNT(*) AS n FROM audit_log ${clause}`).get(params) as {
      n: number;
    };
    const rows = this.#db
      .prepare(`${SELECT_ROW} ${clause} ORDER BY id DESC LIMIT @limit OFFSET @offset`)
      .all({ ...params, limit: filter.limit, offset: filter.offset }) as StoredRow[];
    return { rows: rows.map(fromStoredRow), total: total.n };
  }

  /** One entry by its request id (the latest, should a client have reused an id). */
  find(requestId: string): AuditRow | undefined {
    const row = this.#db
      .prepare(`${SELECT_ROW} WHERE request_id = ? ORDER BY id DESC LIMIT 1`)
      .get(requestId) as StoredRow | undefined;
    return row ? fromStoredRow(row) : undefined;
  }

  /** The most recent entries, newest first; for tests and inspection. */
  recent(limit: number): AuditEntry[] {
    const rows = this.#db
      .prepare(
        `SELECT at, request_id AS requestId, key_id AS keyId, method, path, model, stream, status,
           error_code AS errorCode, prompt_tokens AS promptTokens, completion_tokens AS completionTokens,
           cost_usd AS costUsd, duration_ms AS durationMs, time_to_first_chunk_ms AS timeToFirstChunkMs,
           queue_wait_ms AS queueWaitMs, prompt
         FROM audit_log ORDER BY id DESC LIMIT ?`,
      )
      .all(limit) as Array<Omit<AuditEntry, 'stream'> & { stream: number }>;
    return rows.map((row) => ({ ...row, stream: row.stream === 1 }));
  }
}

/** What the console's Requests page filters by; every field optional but the page. */
export interface AuditFilter {
  from?: number;
  to?: number;
  keyId?: string;
  model?: string;
  /** Requests whose path starts with one of these (a surface's routes). */
  pathPrefixes?: string[];
  outcome?: 'ok' | 'error';
  limit: number;
  offset: number;
}

/** A stored entry with its row id. */
export interface AuditRow extends AuditEntry {
  id: number;
}

type StoredRow = Omit<AuditRow, 'stream'> & { stream: number };

const SELECT_ROW = `SELECT id, at, request_id AS requestId, key_id AS keyId, method, path, model, stream, status,
  error_code AS errorCode, prompt_tokens AS promptTokens, completion_tokens AS completionTokens,
  cost_usd AS costUsd, duration_ms AS durationMs, time_to_first_chunk_ms AS timeToFirstChunkMs,
  queue_wait_ms AS queueWaitMs, prompt FROM audit_log`;

function fromStoredRow(row: StoredRow): AuditRow {
  return { ...row, stream: row.stream === 1 };
}

function roundOrNull(value: number | null): number | null {
  return value === null ? null : Math.round(value);
}
