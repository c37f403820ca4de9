import type pg from 'pg';

/** A statement run by name: its text must never change under that name. */
export interface NamedStatement {
  readonly name: string;
  readonly text: string;
}

/**
 * PostgreSQL statements the server parses and plans once per connection, then runs from that plan.
 * Kysely sends each statement unnamed, parsed and planned on every call: for the conversation claim
 * on every turn's path that costs more than the round trip itself.
 */
export interface PreparedStatements {
  rows<Row>(statement: NamedStatement, values: readonly unknown[]): Promise<Row[]>;
}

// A pooler that moves a client between server connections between statements (PgBouncer in
// transaction mode without prepared-statement support) loses the statement it was asked to prepare.
const STATEMENT_LOST = new Set([
  '26000', // invalid_sql_statement_name: "prepared statement ... does not exist"
  '42P05', // duplicate_prepared_statement
]);

export type QueryRunner = Pick<pg.Pool, 'query'>;

/**
 * Runs statements by name on `pool`; after the first sign of a pooler that loses them, sends them
 * unnamed for good (what Kysely does), so the gateway works behind such a pooler, only slower.
 */
export function preparedStatements(pool: QueryRunner): PreparedStatements {
  let named = true;
  const unnamed = async <Row>(statement: NamedStatement, values: readonly unknown[]) =>
    (await pool.query<pg.QueryResultRow>(statement.text, [...values])).rows as Row[];
  return {
    async rows<Row>(statement: NamedStatement, values: readonly unknown[]): Promise<Row[]> {
      if (!named) return unnamed<Row>(statement, values);
      try {
        const result = await pool.query<pg.QueryResultRow>({
          name: statement.name,
          text: statement.text,
          values: [...values],
        });
        return result.rows as Row[];
      } catch (error) {
        // The statement failed before it ran (it was not found to bind), so running it again is safe.
        if (!STATEMENT_LOST.has(sqlStateOf(error))) throw error;
        named = false;
        return unnamed<Row>(statement, values);
      }
    },
  };
}

function sqlStateOf(error: unknown): string {
  return typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string'
    ? error.code
    : '';
}
