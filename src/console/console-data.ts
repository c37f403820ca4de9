import type { AuditFilter, AuditLog, AuditRow, UsageRow } from '../contract/ports/audit.js';
import type { ApiKeyRecord, KeyChange, KeyStore, NewApiKey } from '../contract/ports/keys.js';
import type {
  NativeMessage,
  NativeSessionRecord,
  NativeSessionStore,
} from '../contract/ports/native-sessions.js';
import type { StoredTask, TaskStore } from '../contract/ports/tasks.js';
import { type KeyStanding, keyStanding } from '../core/admission/key-standing.js';
import type { RequestPoint } from './series.js';

/**
 * Everything the console reads or changes in the gateway's store, behind one async port: the pages
 * never touch the store directly, so a store engine change touches only `consoleData`.
 */
/** A key as the console lists it: with what it is now (over budget, expired, revoked). */
export type KeyView = ApiKeyRecord & { standing: KeyStanding };

export interface ConsoleData {
  /** Every key, revoked ones too, each with its standing at `now`. */
  keys(now: number): Promise<KeyView[]>;
  createKey(input: NewApiKey): Promise<{ record: ApiKeyRecord; key: string }>;
  /** Changes an active key; undefined when there is none with that id. */
  updateKey(id: string, change: KeyChange, now: number): Promise<KeyView | undefined>;
  revokeKey(id: string): Promise<ApiKeyRecord | undefined>;
  /** True when some admin key exists (the console is off otherwise). */
  hasStoredAdminKey(): Promise<boolean>;
  requests(filter: AuditFilter): Promise<{ rows: AuditRow[]; total: number }>;
  request(requestId: string): Promise<AuditRow | undefined>;
  usage(from: number, to: number): Promise<UsageRow[]>;
  /** Requests recorded in `[from, to)`, as chart points. */
  points(from: number, to: number): Promise<RequestPoint[]>;
  /** Every key's native API sessions, most recently active first. */
  sessions(): Promise<NativeSessionRecord[]>;
  /** A session's history, or undefined when there is no such session. */
  sessionMessages(id: string): Promise<NativeMessage[] | undefined>;
  /** Every key's agentic tasks, newest first. */
  tasks(limit: number): Promise<StoredTask[]>;
}

/** The most rows a chart aggregates; a busier window is sampled from its newest rows. */
const MAX_POINTS = 50_000;

export function consoleData(store: {
  keys: KeyStore;
  audit: AuditLog;
  nativeSessions: NativeSessionStore;
  tasks: TaskStore;
}): ConsoleData {
  const withStanding = async (record: ApiKeyRecord, now: number): Promise<KeyView> => ({
    ...record,
    standing: await keyStanding(store.keys, record, now),
  });
  return {
    keys: async (now) => {
      const records = await store.keys.list({ includeRevoked: true });
      return Promise.all(records.map(async (record) => withStanding(record, now)));
    },
    createKey: async (input) => store.keys.create(input),
    updateKey: async (id, change, now) => {
      const record = await store.keys.update(id, change);
      return record ? withStanding(record, now) : undefined;
    },
    revokeKey: async (id) => store.keys.revoke(id),
    hasStoredAdminKey: async () => (await store.keys.list()).some((key) => key.admin),
    requests: async (filter) => store.audit.search(filter),
    request: async (requestId) => store.audit.find(requestId),
    usage: async (from, to) => store.audit.usage(from, to),
    points: async (from, to) =>
      // Runs still going have no outcome yet: they join the charts when they end.
      (await store.audit.search({ from, to, limit: MAX_POINTS, offset: 0 })).rows
        .filter((row) => !row.running)
        .map((row) => ({
          at: row.at,
          status: row.status,
          costUsd: row.costUsd,
          timeToFirstChunkMs: row.timeToFirstChunkMs,
        })),
    sessions: async () => (await store.nativeSessions.list()).reverse(),
    tasks: (limit) => store.tasks.list(undefined, limit),
    sessionMessages: async (id) =>
      (await store.nativeSessions.get(id)) ? store.nativeSessions.messages(id) : undefined,
  };
}
