import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type PostgresCluster,
  postgresTestsEnabled,
  startPostgresCluster,
} from '../../test/helpers/postgres-cluster.js';
import { statementNaming } from './prepared-statements.js';

const DOUBLE = { name: 'double_it', text: 'SELECT $1::integer * 2 AS n' } as const;

interface Things {
  things: { id: number; label: string };
}

describe.skipIf(!postgresTestsEnabled())('statements run by name on PostgreSQL', () => {
  let cluster: PostgresCluster | undefined;
  let url = '';
  const pools: pg.Pool[] = [];
  const closings: Promise<void>[] = [];

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    url = await cluster.createDatabase();
  });
  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.end()));
    await Promise.all(closings.splice(0));
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  /** One connection: what the server has prepared is what this pool's only session holds. */
  const onePool = () => {
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    // pool.end() resolves before its connections have closed, and an error on a connection the
    // pool is closing reaches the pool's own 'error' event: without a listener it is thrown. Each
    // connection's end is awaited, so none is still open when the cluster stops.
    pool.on('error', () => undefined);
    pool.on('connect', (client) => {
      client.on('error', () => undefined);
      closings.push(new Promise((resolve) => client.once('end', () => resolve())));
    });
    pools.push(pool);
    return pool;
  };
  const preparedOn = async (pool: pg.Pool) =>
    (await pool.query<{ name: string }>('SELECT name FROM pg_prepared_statements ORDER BY name')).rows.map(
      (row) => row.name,
    );

  it('prepares a statement once per connection and runs it from then on', async () => {
    const pool = onePool();
    const { prepared } = statementNaming(pool);
    expect(await prepared.rows(DOUBLE, [2])).toEqual([{ n: 4 }]);
    expect(await prepared.rows(DOUBLE, [5])).toEqual([{ n: 10 }]);
    expect(await preparedOn(pool)).toEqual([DOUBLE.name]);
  });

  it('answers unnamed from then on when the server lost a statement it prepared (as behind a pooler)', async () => {
    const pool = onePool();
    const { prepared } = statementNaming(pool);
    const lost = { name: 'lost_one', text: 'SELECT $1::integer + 1 AS n' } as const;
    expect(await prepared.rows(lost, [1])).toEqual([{ n: 2 }]);
    // The session forgets it; the client still believes it is there and sends no new Parse.
    await pool.query('DEALLOCATE lost_one');
    expect(await prepared.rows(lost, [2])).toEqual([{ n: 3 }]);
    expect(await prepared.rows(lost, [3])).toEqual([{ n: 4 }]);
    expect(await preparedOn(pool)).not.toContain(lost.name);
  });

  it('passes on an error of the statement itself', async () => {
    const pool = onePool();
    const { prepared } = statementNaming(pool);
    await expect(prepared.rows(DOUBLE, ['not a number'])).rejects.toMatchObject({ code: '22P02' });
    expect(await prepared.rows(DOUBLE, [1])).toEqual([{ n: 2 }]);
  });

  it("names Kysely's statements it sees again, not one-offs or what cannot be prepared", async () => {
    const pool = onePool();
    const db = new Kysely<Things>({
      dialect: new PostgresDialect({ pool: statementNaming(pool).dialectPool }),
    });
    await db.schema.createTable('things').addColumn('id', 'integer').addColumn('label', 'text').execute();
    const find = (id: number) => db.selectFrom('things').select('label').where('id', '=', id).execute();
    await db.insertInto('things').values({ id: 1, label: 'one' }).execute();
    await find(1);
    expect(await preparedOn(pool)).toEqual([]);
    await find(2);
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('things').values({ id: 2, label: 'two' }).execute();
    });
    expect(await find(2)).toEqual([{ label: 'two' }]);
    // The lookup and the insert, each seen twice; not the DDL, BEGIN or COMMIT.
    expect(await preparedOn(pool)).toHaveLength(2);
    await db.schema.dropTable('things').execute();
  });

  it("follows another gateway's migration that changes a prepared statement's rows", async () => {
    const pool = onePool();
    const db = new Kysely<Things>({
      dialect: new PostgresDialect({ pool: statementNaming(pool).dialectPool }),
    });
    await db.schema.createTable('things').addColumn('id', 'integer').execute();
    await sql`INSERT INTO things (id) VALUES (1)`.execute(db);
    const all = () => db.selectFrom('things').selectAll().where('id', '=', 1).execute();
    await all();
    expect(await all()).toEqual([{ id: 1 }]);
    // Another connection (another gateway's migration) adds a column under the prepared statement.
    const other = new pg.Client({ connectionString: url });
    await other.connect();
    await other.query("ALTER TABLE things ADD COLUMN label text DEFAULT 'new'");
    await other.end();
    expect(await all()).toEqual([{ id: 1, label: 'new' }]);
    expect(await all()).toEqual([{ id: 1, label: 'new' }]);
    await db.schema.dropTable('things').execute();
  });
});
