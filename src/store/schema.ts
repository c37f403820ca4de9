import type { Generated } from 'kysely';
import type { AccountStatus } from '../contract/accounts.js';
import type { StoredResponseStatus } from '../contract/ports/responses.js';
import type { TaskStatus } from '../contract/ports/tasks.js';

/**
 * The tables both engines share, as Kysely sees them. Epoch-millisecond times are BIGINT in
 * PostgreSQL (and INTEGER in SQLite); the PostgreSQL pool parses BIGINT to numbers, so the row
 * types are the same for both.
 */
export interface StoreSchema {
  api_keys: ApiKeysTable;
  audit_log: AuditLogTable;
  readiness_probe: ReadinessProbeTable;
  store_counters: StoreCountersTable;
  rate_windows: RateWindowsTable;
  run_leases: RunLeasesTable;
  transcript_entries: TranscriptEntriesTable;
  conversations: ConversationsTable;
  responses: ResponsesTable;
  response_events: ResponseEventsTable;
  chat_completions: ChatCompletionsTable;
  native_sessions: NativeSessionsTable;
  native_session_messages: NativeSessionMessagesTable;
  tasks: TasksTable;
  task_events: TaskEventsTable;
  account_states: AccountStatesTable;
}

/** What is known about each pooled Claude account (migration 0009); never a credential. */
export interface AccountStatesTable {
  name: string;
  status: AccountStatus;
  resets_at: number | null;
  utilization: number | null;
  last_error_code: string | null;
  failures: number;
  overloads: number;
  overloads_since: number | null;
  /** A digest of the account's environment when it was refused, not the credentials. */
  fingerprint: string | null;
  updated_at: number;
}

/** Agentic tasks (migration 0007). */
export interface TasksTable {
  id: string;
  owner_id: string;
  status: TaskStatus;
  /** JSON text: the task's request as the tasks surface owns it. */
  request: string;
  /** JSON text once it ended, else null. */
  result: string | null;
  created_at: number;
  updated_at: number;
  /** The gateway that runs it (on a shared database); null on the embedded SQLite file. */
  instance_id: string | null;
}

/** A task's event log, numbered from 1 per task. */
export interface TaskEventsTable {
  task_id: string;
  seq: number;
  event: string;
  /** JSON text. */
  data: string;
  at: number;
}

/** Sessions of the native API (migration 0006). */
export interface NativeSessionsTable {
  id: string;
  owner_id: string;
  model: string;
  system_prompt: string | null;
  /** JSON text: the agent settings checked at creation, or null. */
  agent: string | null;
  created_at: number;
  last_activity_at: number;
  expires_at: number;
  /** JSON text: RunUsage summed over every turn. */
  usage: string;
  cost_usd: number;
  message_count: number;
}

/** A native session's transcript, one row per user or assistant message, in `seq` order. */
export interface NativeSessionMessagesTable {
  session_id: string;
  seq: number;
  role: 'user' | 'assistant';
  content: string;
  at: number;
}

/** Responses API responses kept for previous_response_id and GET/DELETE /v1/responses/{id}. */
export interface ResponsesTable {
  id: string;
  owner_id: string;
  previous_response_id: string | null;
  /** JSON text: this request's own input items. */
  input_items: string;
  /** JSON text: the response object as the client got it. */
  response: string;
  created_at: number;
  expires_at: number;
  /** Where it is in its life (migration 0010; earlier rows are `completed`). */
  status: StoredResponseStatus;
  /** 1 for a background response. */
  background: number;
  /** The gateway running a background response (on a shared database); null on the embedded file. */
  instance_id: string | null;
}

/** A background response's event log (migration 0010), by sequence number. */
export interface ResponseEventsTable {
  response_id: string;
  seq: number;
  /** JSON text: the event as the Responses surface streams it. */
  event: string;
}

/** Chat completions created with `store: true` (migration 0010). */
export interface ChatCompletionsTable {
  id: string;
  owner_id: string;
  model: string;
  /** JSON text: string values by key. */
  metadata: string;
  /** JSON text: the chat.completion object. */
  completion: string;
  /** JSON text: the request's messages. */
  messages: string;
  created_at: number;
  expires_at: number;
}

/** Which Claude Code session holds which conversation, for every gateway on the database. */
export interface ConversationsTable {
  /** The Claude Code session id. */
  id: string;
  cwd: string;
  /** Scope seed of an explicitly named conversation (`x-conversation-id`), else null. */
  conversation_key: string | null;
  /** Fingerprint of what the session holds; null until its first commit. */
  head: string | null;
  /** Turns committed to the session: bumped in the statement that commits one (migration 0011). */
  version: number;
  /** While a run holds the session: when that claim lapses if its gateway dies. */
  busy_until: number | null;
  last_used_at: number;
  /** The pooled Claude account its last committed turn ran under (migration 0011). */
  account: string | null;
}

/** Claude Code transcript lines mirrored through the Agent SDK's SessionStore, in append order. */
export interface TranscriptEntriesTable {
  seq: Generated<number>;
  project_key: string;
  session_id: string;
  /** '' for the main transcript, else the SDK's opaque subpath (subagent transcripts). */
  subpath: string;
  /** The entry's own uuid when it has one: the idempotency key for retried batches. */
  uuid: string | null;
  /** The entry as JSON text (the same on both engines; the SDK needs deep-equal, not byte-equal). */
  entry: string;
  appended_at: number;
}

/** One requests-per-minute window per key, shared by every gateway on the database. */
export interface RateWindowsTable {
  key_id: string;
  window_start: number;
  hits: number;
}

/** One row per run holding a slot of its key's concurrency limit; renewed while it runs. */
export interface RunLeasesTable {
  id: string;
  key_id: string;
  instance_id: string;
  expires_at: number;
}

export interface ApiKeysTable {
  id: string;
  name: string;
  key_hash: string;
  key_prefix: string;
  /** 0 or 1: the SQLite schema shipped with integers, PostgreSQL keeps the same shape. */
  admin: number;
  rpm: number | null;
  concurrency: number | null;
  budget_usd: number | null;
  /** JSON array of model ids, or null for all. */
  models: string | null;
  /** JSON array of tool names, or null for none. */
  agent_tools: string | null;
  /** The permission profile the key was made with (migration 0007), or null. */
  profile: string | null;
  /** JSON array of the account names the key may spend (migration 0009), or null for all. */
  accounts: string | null;
  /** Where chat completions put thinking for the key's clients (migration 0010), or null for the default. */
  reasoning_field: string | null;
  spent_usd: number;
  created_at: number;
  revoked_at: number | null;
  /** When the key stops working, Unix ms (migration 0013), or null for never. */
  expires_at: number | null;
  /** `day`, `week` or `month`: the budget starts afresh each UTC period (migration 0013); null: for good. */
  budget_period: string | null;
}

export interface AuditLogTable {
  id: Generated<number>;
  at: number;
  request_id: string;
  key_id: string;
  method: string;
  path: string;
  model: string | null;
  stream: number;
  status: number;
  error_code: string | null;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
  duration_ms: number;
  time_to_first_chunk_ms: number | null;
  queue_wait_ms: number | null;
  prompt: string | null;
  /** The Claude account the run used (migration 0009); null when no run started or before accounts. */
  account: string | null;
  /** Names the row written when a run was admitted, for its completion (migration 0013). */
  run_key: string | null;
  /** 1 from a run's admission until it ends: not charged yet, left out of usage. */
  running: Generated<number>;
  /** The gateway (INSTANCE_ID) whose run the row is, on a shared database. */
  instance_id: string | null;
}

export interface ReadinessProbeTable {
  id: number;
  checked_at: number;
}

/** Counts kept apart from the rows they count (migration 0009), e.g. native sessions ever created. */
export interface StoreCountersTable {
  name: string;
  value: number;
}
