import { AuditLog } from './audit-log.js';
import { openStoreDatabase, probeWritable, type StoreDatabase } from './database.js';
import { KeyStore } from './key-store.js';

/** The gateway's embedded state: API keys and the audit log, in one SQLite file. */
export interface GatewayStore {
  readonly keys: KeyStore;
  readonly audit: AuditLog;
  readonly isOpen: boolean;
  probeWritable(): boolean;
  close(): void;
}

export function openGatewayStore(file: string): GatewayStore {
  const db: StoreDatabase = openStoreDatabase(file);
  return {
    keys: new KeyStore(db),
    audit: new AuditLog(db),
    get isOpen() {
      return db.open;
    },
    probeWritable: () => db.open && probeWritable(db),
    close() {
      if (db.open) db.close();
    },
  };
}
