import { createHash } from 'node:crypto';
import type { PostgresPool, PostgresPoolClient, PostgresQueryResult } from 'kysely';
import type pg from 'pg';

/** A statement run by name: its text must never change under that name. */
export interface NamedStatement {
  readonly name: string;
  readonly text: string;
}

/**
 * PostgreSQL statements the server parses and plans once per connection, then runs from that plan.
 * Sent unnamed, a statement is parsed and planned on every call: for the conversation claim on
 * every turn's path that cost more than the round trip itself.
 */
export interface PreparedStatements {
  rows<Row>(statement: NamedStatement, values: readonly unknown[]): Promise<Row[]>;
}

export interface StatementNaming {
  /** Statements the store writes itself, run by their own names. */
  readonly prepared: PreparedStatements;
  /**
   * The pool for Kysely: a statement it sends again and again (the same text: its values are
   * parameters) is run by a name made from its text, up to `MAX_NAMED_TEXTS` texts.
   */
  readonly dialectPool: PostgresPool;
}

// Statements whose cause is that the server no longer has what it prepared: a pooler that moves a
// client between server connections (PgBouncer in transaction mode without prepared-statement
// support), or another gateway's migration that changed the shape of a prepared statement's rows.
// Each fails before the statement has done anything.
function lostStatement(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code === '26000' || code === '42P05') return true; // does not exist; already exists
  return code === '0A000' && typeof message === 'string' && message.includes('cached plan');
}
/** Distinct texts run by name, per gateway: each connection may prepare each of them once. */
const MAX_NAMED_TEXTS = 200;
/** How often a text is seen before it is prepared: a one-off (a migration, a sweep) is not. */
const SEEN_BEFORE_NAMING = 2;
/** Texts counted toward naming; beyond this a new text is simply sent unnamed. */
const MAX_COUNTED_TEXTS = 2_000;
// Only what PostgreSQL can prepare (PREPARE takes SELECT, INSERT, UPDATE, DELETE, MERGE, VALUES).
const PREPARABLE = /^\s*(select|insert|update|delete|with|values)\b/i;

export type QueryRunner = Pick<pg.Pool, 'query' | 'connect' | 'end'>;

/**
 * Runs statements by name on `pool`; after the first sign that the server lost one, sends every
 * statement unnamed for good (as Kysely does), so the gateway works on, only slower.
 */
export function statementNaming(pool: QueryRunner): StatementNaming {
  let naming = true;
  const seen = new Map<string, number>();
  const names = new Map<string, string>();

  const nameOf = (text: string): string | undefined => {
    if (!naming) return undefined;
    const known = names.get(text);
    if (known !== undefined) return known;
    if (names.size >= MAX_NAMED_TEXTS || !PREPARABLE.test(text)) return undefined;
    const count = (seen.get(text) ?? 0) + 1;
    if (count < SEEN_BEFORE_NAMING) {
      if (seen.size < MAX_COUNTED_TEXTS) seen.set(text, count);
      return undefined;
    }
    seen.delete(text);
    const name = `cg_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    names.set(text, name);
    return name;
  };

  /**
   * Runs `text` by `name`, or unnamed once the server is found to lose prepared statements. Inside
   * a transaction the retry fails too (the error aborted the transaction): that one operation
   * fails, and every later one runs unnamed.
   */
  async function run<Row extends pg.QueryResultRow>(
    client: Pick<pg.ClientBase, 'query'>,
    name: string | undefined,
    text: string,
    values: readonly unknown[],
  ): Promise<pg.QueryResult<Row>> {
    if (name === undefined || !naming) return client.query<Row>(text, [...values]);
    try {
      return await client.query<Row>({ name, text, values: [...values] });
    } catch (error) {
      if (!lostStatement(error)) throw error;
      naming = false;
      return client.query<Row>(text, [...values]);
    }
  }

  const prepared: PreparedStatements = {
    async rows<Row>(statement: NamedStatement, values: readonly unknown[]): Promise<Row[]> {
      return (await run(pool, statement.name, statement.text, values)).rows as Row[];
    },
  };

  const dialectPool: PostgresPool = {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      const query = ((text: unknown, parameters?: ReadonlyArray<unknown>) => {
        // A cursor (Kysely's streaming) goes through as it is.
        if (typeof text !== 'string') return client.query(text as pg.Submittable);
        return run(client, nameOf(text), text, parameters ?? []).then(
          (result) => result as unknown as PostgresQueryResult<unknown>,
        );
      }) as PostgresPoolClient['query'];
      return { query, release: (destroy?: boolean) => client.release(destroy) };
    },
    end: () => pool.end(),
  };

  return { prepared, dialectPool };
}
