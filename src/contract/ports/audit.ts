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
  /** The Claude account the run used (ACCOUNTS_FILE name); absent when no run started. */
  account?: string | null;
  /** Names the row `begin` wrote when the run started: `record` completes that row. */
  runKey?: string;
}

/** What a running row knows so far; written now and then while its run goes on. */
export interface AuditProgress {
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  durationMs: number;
}

/** How the rows a stopped gateway left running are closed. */
export interface InterruptedOutcome {
  status: number;
  errorCode: string;
}

/** Requests and spend of one Claude account on one UTC day. */
export interface AccountUsageRow {
  /** Null for requests that ran no Claude Code, or ran before accounts were recorded. */
  account: string | null;
  day: string;
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
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

export interface AuditLog {
  /**
   * Appends the entry (or, with a `runKey`, completes the running row of that key) and adds its cost
   * to the key's spend, atomically, so budgets match the log.
   */
  record(entry: AuditEntry): Promise<void>;
  /** Writes the row of a run just started, marked running and not charged; `record` completes it. */
  begin(entry: AuditEntry & { runKey: string }): Promise<void>;
  /** What a running row knows so far (a completed row is left as it is). */
  progress(runKey: string, progress: AuditProgress): Promise<void>;
  /**
   * Completes the rows this gateway left running (on a shared database only its own INSTANCE_ID's)
   * with `outcome` and what they knew, and charges them; returns how many there were.
   */
  interruptRunning(outcome: InterruptedOutcome): Promise<number>;
  /** Usage per key and UTC day for entries with `from <= at < to` (epoch ms). */
  usage(from: number, to: number): Promise<UsageRow[]>;
  /** Usage per Claude account and UTC day for entries with `from <= at < to` (epoch ms). */
  usageByAccount(from: number, to: number): Promise<AccountUsageRow[]>;
  /** Entries matching `filter`, newest first, one page of them, and how many match in all. */
  search(filter: AuditFilter): Promise<{ rows: AuditRow[]; total: number }>;
  /** One entry by its request id (the latest, should a client have reused an id). */
  find(requestId: string): Promise<AuditRow | undefined>;
  /** The most recent entries, newest first; for tests and inspection. */
  recent(limit: number): Promise<AuditEntry[]>;
}

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
  /** The run has not ended yet (its status is 0 until then). */
  running?: true;
}
