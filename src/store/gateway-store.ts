import { AuditLog } from './audit-log.js';
import { openStoreDatabase, probeWritable, type StoreDatabase } from './database.js';
import { KeyStore } from './key-store.js';
import type { NativeSessionStore } from './native-sessions.js';
import { sqliteNativeSessions } from './sqlite-native-sessions.js';

/** The gateway's embedded state: API keys, the audit log and native sessions, in one SQLite file. */
export interface GatewayStore {
  readonly keys: KeyStore;
  readonly audit: AuditLog;
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
