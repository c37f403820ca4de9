import { AuditLog } from './audit-log.js';
import { openStoreDatabase, probeWritable, type StoreDatabase } from './database.js';
import { KeyStore } from './key-store.js';
import type { NativeSessionStore } from './native-sessions.js';
import type { ResponsesStore } from './responses-store.js';
import { sqliteNativeSessions } from './sqlite-native-sessions.js';
import { createSqliteResponsesStore } from './sqlite-responses-store.js';
import { sqliteTaskStore, type TaskStore } from './task-store.js';

/**
 * The gateway's embedded state: API keys, the audit log, stored responses, native sessions and
 * tasks, in one SQLite file.
 */
export interface GatewayStore {
  readonly keys: KeyStore;
  readonly audit: AuditLog;
  readonly responses: ResponsesStore;
  /** Sessions of the native API (issue 10). */
  readonly nativeSessions: NativeSessionStore;
  /** Agentic tasks and their event logs (issue 11). */
  readonly tasks: TaskStore;
  readonly isOpen: boolean;
  probeWritable(): boolean;
  close(): void;
}

export function openGatewayStore(file: string): GatewayStore {
  const db: StoreDatabase = openStoreDatabase(file);
  return {
    keys: new KeyStore(db),
    audit: new AuditLog(db),
    responses: createSqliteResponsesStore(db),
    nativeSessions: sqliteNativeSessions(db),
    tasks: sqliteTaskStore(db),
    get isOpen() {
      return db.open;
    },
    probeWritable: () => db.open && probeWritable(db),
    close() {
      if (db.open) db.close();
    },
  };
}
