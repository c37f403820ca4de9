import type { SessionStore } from '@anthropic-ai/claude-agent-sdk';
import { sql } from 'kysely';
import type { AccountStateStore } from '../contract/ports/accounts.js';
import type { AuditLog } from '../contract/ports/audit.js';
import type { ChatCompletionStore } from '../contract/ports/chat-completions.js';
import type { SharedSessionIndex } from '../contract/ports/conversations.js';
import type { KeyStore } from '../contract/ports/keys.js';
import type { SharedConcurrency, SharedRateWindow } from '../contract/ports/limits.js';
import type { NativeSessionStore } from '../contract/ports/native-sessions.js';
import type { StoreNotifications } from '../contract/ports/notifications.js';
import type { ResponsesStore } from '../contract/ports/responses.js';
import type { TaskStore } from '../contract/ports/tasks.js';
import { createAccountStateStore } from './account-states.js';
import { createAuditLog } from './audit-log.js';
import { type ConnectOptions, connectStore, type StoreEngine, type StoreLocation } from './engine.js';
import { createKeyStore } from './key-store.js';
import { createChatCompletionStore } from './kysely-chat-completions-store.js';
import { createNativeSessionStore } from './kysely-native-sessions.js';
import { createResponsesStore } from './kysely-responses-store.js';
import { createTaskStore } from './kysely-task-store.js';
import { migrateToLatest } from './migrations.js';
import { postgresNotifications } from './postgres-notifications.js';
import { type SharedConcurrencyOptions, sharedConcurrency } from './shared-concurrency.js';
import { sharedRateWindow } from './shared-rate-window.js';
import { type SharedSessionIndexOptions, sharedSessionIndex } from './shared-session-index.js';
import { transcriptMirror } from './transcript-mirror.js';
import { transcriptPrefetch } from './transcript-prefetch.js';
import { type WaitForDatabaseOptions, waitForDatabase } from './wait-for-database.js';

/**
 * The gateway's state behind one async interface: API keys, the audit log, stored responses,
 * native sessions, tasks and shared run state, in an embedded
 * SQLite file (the default) or a PostgreSQL database shared by several gateways.
 */
export interface GatewayStore {
  readonly engine: StoreEngine;
  readonly keys: KeyStore;
  readonly audit: AuditLog;
  readonly responses: ResponsesStore;
  /** Chat completions created with `store: true`. */
  readonly chatCompletions: ChatCompletionStore;
  /** Sessions of the native API. */
  readonly nativeSessions: NativeSessionStore;
  /** Agentic tasks and their event logs. */
  readonly tasks: TaskStore;
  /** What every gateway on this store knows about each pooled Claude account. */
  readonly accountStates: AccountStateStore;
  readonly isOpen: boolean;
  /**
   * Signals between the gateways on a shared database (PostgreSQL LISTEN/NOTIFY); undefined on the
   * embedded SQLite file, which one gateway has to itself.
   */
  readonly notifications: StoreNotifications | undefined;
  /** A requests-per-minute counter shared by every gateway on this store. */
  rateWindow(windowMs: number): SharedRateWindow;
  /** Per-key run slots shared by every gateway on this store. */
  concurrency(options: Omit<SharedConcurrencyOptions, 'engine'>): SharedConcurrency;
  /**
   * Claude Code transcripts of the sessions in the conversation index (`sessionIndex`), mirrored
   * through the Agent SDK's `sessionStore` option; entries of a session not in it are dropped.
   */
  readonly transcripts: SessionStore;
  /** The conversation index every gateway on this store shares (sessions follow the client). */
  sessionIndex(options: Omit<SharedSessionIndexOptions, 'engine'>): SharedSessionIndex;
  /** Proves the store accepts writes right now (database away, disk full, read-only volume all fail). */
  probeWritable(): Promise<boolean>;
  close(): Promise<void>;
}

export interface OpenStoreOptions extends ConnectOptions {
  /** Apply pending migrations first (default true); `claude-gateway migrate` does it explicitly. */
  migrate?: boolean;
  now?: () => number;
  /** This gateway's INSTANCE_ID: on a shared database, whose running tasks, background responses and audited runs are its own. */
  instanceId?: string;
  /** PostgreSQL: how long to wait for the database to answer the first time (default: one attempt). */
  connect?: WaitForDatabaseOptions;
}

export async function openGatewayStore(
  location: StoreLocation,
  options: OpenStoreOptions = {},
): Promise<GatewayStore> {
  const { db, engine, prepared } = connectStore(location, options);
  try {
    if (engine === 'postgres') {
      await waitForDatabase(() => sql`SELECT 1`.execute(db), options.connect ?? { waitMs: 0 });
    }
    if (options.migrate !== false) await migrateToLatest(db, engine);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  let open = true;
  // What a claim read of its session's transcript, for the SDK's resume on this gateway.
  const prefetch = engine === 'postgres' ? transcriptPrefetch() : undefined;
  const notifications =
    location.engine === 'postgres'
      ? postgresNotifications(location.url, db, {
          ...(options.onPoolError ? { onError: options.onPoolError } : {}),
        })
      : undefined;
  return {
    engine,
    keys: createKeyStore(db, options.now),
    // As for tasks: on a shared database a starting gateway fails only its own background responses.
    responses: createResponsesStore(db, {
      ...(engine === 'postgres' && options.instanceId ? { instanceId: options.instanceId } : {}),
      notifyAppends: engine === 'postgres',
    }),
    chatCompletions: createChatCompletionStore(db, engine),
    // As for tasks: on a shared database a starting gateway closes only the runs it left running.
    audit: createAuditLog(
      db,
      engine,
      engine === 'postgres' && options.instanceId ? { instanceId: options.instanceId } : {},
    ),
    nativeSessions: createNativeSessionStore(db),
    // On a shared database a starting gateway fails only the tasks it left running itself.
    tasks: createTaskStore(db, {
      ...(engine === 'postgres' && options.instanceId ? { instanceId: options.instanceId } : {}),
      // Gateways following a task another one runs wake up on its appends.
      notifyAppends: engine === 'postgres',
    }),
    accountStates: createAccountStateStore(db, engine),
    get isOpen() {
      return open;
    },
    notifications,
    transcripts: transcriptMirror(db, engine, options.now, prefetch),
    sessionIndex: (indexOptions) =>
      sharedSessionIndex(db, {
        now: options.now,
        ...indexOptions,
        engine,
        ...(prefetch ? { prefetch } : {}),
        ...(prepared ? { prepared } : {}),
      }),
    rateWindow: (windowMs) => sharedRateWindow(db, windowMs, options.now),
    concurrency: (concurrencyOptions) =>
      sharedConcurrency(db, { now: options.now, ...concurrencyOptions, engine }),
    async probeWritable() {
      if (!open) return false;
      try {
        await db
          .insertInto('readiness_probe')
          .values({ id: 1, checked_at: Date.now() })
          .onConflict((oc) => oc.column('id').doUpdateSet({ checked_at: sql`excluded.checked_at` }))
          .execute();
        return true;
      } catch {
        return false;
      }
    },
    async close() {
      if (!open) return;
      open = false;
      await notifications?.close();
      await db.destroy();
    },
  };
}
