import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PostgresCluster,
  postgresTestsEnabled,
  startPostgresCluster,
} from '../../test/helpers/postgres-cluster.js';
import { preparedStatements } from './prepared-statements.js';

const DOUBLE = { name: 'double_it', text: 'SELECT $1::integer * 2 AS n' } as const;

describe.skipIf(!postgresTestsEnabled())('statements run by name on PostgreSQL', () => {
  let cluster: PostgresCluster | undefined;
  let pool: pg.Pool | undefined;

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    // One connection: what the server has prepared is what this pool's only session holds.
    pool = new pg.Pool({ connectionString: await cluster.createDatabase(), max: 1 });
  });
  afterAll(async () => {
    await pool?.end();
    await cluster?.stop();
  });

  const preparedHere = async () =>
    (await (pool as pg.Pool).query<{ name: string }>('SELECT name FROM pg_prepared_statements')).rows.map(
      (row) => row.name,
    );

  it('prepares a statement once per connection and runs it from then on', async () => {
    const statements = preparedStatements(pool as pg.Pool);
    expect(await statements.rows(DOUBLE, [2])).toEqual([{ n: 4 }]);
    expect(await statements.rows(DOUBLE, [5])).toEqual([{ n: 10 }]);
    expect(await preparedHere()).toEqual([DOUBLE.name]);
  });

  it('answers unnamed from then on when the server lost a statement it prepared (as behind a pooler)', async () => {
    const statements = preparedStatements(pool as pg.Pool);
    const lost = { name: 'lost_one', text: 'SELECT $1::integer + 1 AS n' } as const;
    expect(await statements.rows(lost, [1])).toEqual([{ n: 2 }]);
    // The session forgets it; the client still believes it is there and sends no new Parse.
    await (pool as pg.Pool).query('DEALLOCATE lost_one');
    expect(await statements.rows(lost, [2])).toEqual([{ n: 3 }]);
    expect(await statements.rows(lost, [3])).toEqual([{ n: 4 }]);
    expect(await preparedHere()).not.toContain(lost.name);
  });

  it('passes on an error of the statement itself', async () => {
    const statements = preparedStatements(pool as pg.Pool);
    await expect(statements.rows(DOUBLE, ['not a number'])).rejects.toMatchObject({ code: '22P02' });
    expect(await statements.rows(DOUBLE, [1])).toEqual([{ n: 2 }]);
  });
});
