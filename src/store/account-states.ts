import { type Insertable, type Kysely, type Selectable, sql } from 'kysely';
import type { AccountState } from '../contract/accounts.js';
import type { AccountStateStore } from '../contract/ports/accounts.js';
import type { StoreEngine } from './engine.js';
import type { AccountStatesTable, StoreSchema } from './schema.js';

/**
 * Account states in the store, the same SQL on both engines. An update reads, transforms and writes
 * one account in a transaction that holds that account: on PostgreSQL an advisory lock on its name
 * (the row may not exist yet, so a row lock would not do); SQLite runs one transaction at a time.
 */
export function createAccountStateStore(db: Kysely<StoreSchema>, engine: StoreEngine): AccountStateStore {
  return {
    async list() {
      const rows = await db.selectFrom('account_states').selectAll().execute();
      return new Map(rows.map((row) => [row.name, fromRow(row)]));
    },

    update(name, transition) {
      return db.transaction().execute(async (trx) => {
        if (engine === 'postgres') {
          await sql`SELECT pg_advisory_xact_lock(hashtext(${`account-state:${name}`}))`.execute(trx);
        }
        const row = await trx
          .selectFrom('account_states')
          .selectAll()
          .where('name', '=', name)
          .executeTakeFirst();
        const next = transition(row ? fromRow(row) : undefined);
        const { name: _name, ...columns } = toRow(name, next);
        await trx
          .insertInto('account_states')
          .values(toRow(name, next))
          .onConflict((oc) => oc.column('name').doUpdateSet(columns))
          .execute();
        return next;
      });
    },

    async clear(name) {
      await db.deleteFrom('account_states').where('name', '=', name).execute();
    },
  };
}

function fromRow(row: Selectable<AccountStatesTable>): AccountState {
  return {
    status: row.status,
    ...(row.resets_at !== null ? { resetsAt: Number(row.resets_at) } : {}),
    ...(row.utilization !== null ? { utilization: Number(row.utilization) } : {}),
    ...(row.last_error_code !== null ? { lastErrorCode: row.last_error_code } : {}),
    failures: row.failures,
    overloads: row.overloads,
    ...(row.overloads_since !== null ? { overloadsSince: Number(row.overloads_since) } : {}),
    ...(row.fingerprint !== null ? { fingerprint: row.fingerprint } : {}),
    updatedAt: Number(row.updated_at),
  };
}

function toRow(name: string, state: AccountState): Insertable<AccountStatesTable> {
  return {
    name,
    status: state.status,
    resets_at: state.resetsAt ?? null,
    utilization: state.utilization ?? null,
    last_error_code: state.lastErrorCode ?? null,
    failures: state.failures,
    overloads: state.overloads,
    overloads_since: state.overloadsSince ?? null,
    fingerprint: state.fingerprint ?? null,
    updated_at: state.updatedAt,
  };
}
