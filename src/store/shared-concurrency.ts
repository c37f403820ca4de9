import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { SharedConcurrency } from '../contract/ports/limits.js';
import type { StoreEngine } from './engine.js';
import type { StoreSchema } from './schema.js';

export interface SharedConcurrencyOptions {
  engine: StoreEngine;
  /** This gateway process; its leases are renewed together. */
  instanceId: string;
  /**
   * How long a lease outlives its last renewal. A gateway that dies holds its keys' slots this long
   * at most (it can refuse, never over-admit); renewals run every third of it.
   */
  leaseTtlMs?: number;
  now?: () => number;
  onRenewError?: (error: unknown) => void;
}

/**
 * Per-key concurrency across gateways: a run holds a lease row while it runs. Acquiring counts the
 * key's live leases and inserts one, serialized per key (a PostgreSQL advisory lock on the key,
 * taken in the same call; SQLite serializes writers anyway), so instances never over-admit.
 */
export function sharedConcurrency(
  db: Kysely<StoreSchema>,
  options: SharedConcurrencyOptions,
): SharedConcurrency {
  const now = options.now ?? Date.now;
  const ttl = options.leaseTtlMs ?? 30_000;
  const renew = async () => {
    await db
      .updateTable('run_leases')
      .set({ expires_at: now() + ttl })
      .where('instance_id', '=', options.instanceId)
      .execute();
    // Leases of gateways that died stopped counting when they expired; drop them now and then.
    await db.deleteFrom('run_leases').where('expires_at', '<=', now()).execute();
  };
  const timer = setInterval(() => {
    renew().catch((error: unknown) => options.onRenewError?.(error));
  }, ttl / 3);
  timer.unref();

  const live = (keyId: string) =>
    db
      .selectFrom('run_leases')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('key_id', '=', keyId)
      .where('expires_at', '>', now());

  return {
    async tryAcquire(keyId, limit) {
      const id = randomUUID();
      const at = now();
      const acquired =
        options.engine === 'postgres'
          ? await takeLeaseInOneStatement(db, { id, keyId, instanceId: options.instanceId, at, ttl, limit })
          : await db.transaction().execute(async (trx) => {
              // SQLite serializes writers, so counting and inserting in one statement is enough.
              const inserted = await trx
                .insertInto('run_leases')
                .columns(['id', 'key_id', 'instance_id', 'expires_at'])
                .expression(
                  trx
                    .selectNoFrom((eb) => [
                      eb.val(id).as('id'),
                      eb.val(keyId).as('key_id'),
                      eb.val(options.instanceId).as('instance_id'),
                      eb.val(at + ttl).as('expires_at'),
                    ])
                    .where(
                      (eb) =>
                        eb
                          .selectFrom('run_leases')
                          .select((c) => c.fn.countAll<number>().as('n'))
                          .where('key_id', '=', keyId)
                          .where('expires_at', '>', at),
                      '<',
                      limit,
                    ),
                )
                .executeTakeFirst();
              return Number(inserted.numInsertedOrUpdatedRows ?? 0) === 1;
            });
      if (!acquired) return undefined;
      let released = false;
      return async () => {
        if (released) return;
        released = true;
        await db.deleteFrom('run_leases').where('id', '=', id).execute();
      };
    },
    async running(keyId) {
      return Number((await live(keyId).executeTakeFirstOrThrow()).n);
    },
    async close() {
      clearInterval(timer);
      await db.deleteFrom('run_leases').where('instance_id', '=', options.instanceId).execute();
    },
  };
}

/**
 * PostgreSQL: the function of migration 0008 locks the key (advisory lock), counts its live leases
 * and inserts under the limit, in one round trip; expired leases do not count and are deleted later.
 */
async function takeLeaseInOneStatement(
  db: Kysely<StoreSchema>,
  lease: { id: string; keyId: string; instanceId: string; at: number; ttl: number; limit: number },
): Promise<boolean> {
  const { rows } = await sql<{ taken: boolean }>`SELECT take_run_lease(${lease.id}, ${lease.keyId}, ${
    lease.instanceId
  }, ${lease.at}, ${lease.at + lease.ttl}, ${lease.limit}) AS taken`.execute(db);
  return rows[0]?.taken === true;
}
