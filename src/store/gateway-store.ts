import { AuditLog } from './audit-log.js';
import { openStoreDatabase, probeWritable, type StoreDatabase } from './database.js';
import { KeyStore } from './key-store.js';
import type { ResponsesStore } from './responses-store.js';
import { createSqliteResponsesStore } from './sqlite-responses-store.js';

/** The gateway's embedded state: API keys, the audit log and stored responses, in one SQLite file. */
export interface GatewayStore {
  readonly keys: KeyStore;
  readonly audit: AuditLog;
  readonly responses: ResponsesStore;
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
    get isOpen() {
      return db.open;
    },
    probeWritable: () => db.open && probeWritable(db),
    close() {
      if (db.open) db.close();
    },
  };
}
