import { AuditLog } from './audit-log.js';
import { openStoreDatabase, probeWritable, type StoreDatabase } from './database.js';
import { KeyStore } from './key-store.js';
import type { NativeSessionStore } from './native-sessions.js';
import type { ResponsesStore } from './responses-store.js';
import { sqliteNativeSessions } from './sqlite-native-sessions.js';
import { createSqliteResponsesStore } from './sqlite-responses-store.js';

/** The gateway's embedded state: API keys, the audit log, stored responses and native sessions, in one SQLite file. */
export interface GatewayStore {
  readonly keys: KeyStore;
  readonly audit: AuditLog;
  readonly responses: ResponsesStore;
  /** Sessions of the native API (issue 10). */
  readonly nativeSessions: NativeSessionStore;
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
    get isOpen() {
      return db.open;
    },
    probeWritable: () => db.open && probeWritable(db),
    close() {
      if (db.open) db.close();
    },
  };
}
