import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
import { type PreparedStatements, statementNaming } from './prepared-statements.js';
import type { StoreSchema } from './schema.js';

export type StoreEngine = 'sqlite' | 'postgres';

/** Where the store lives: an embedded SQLite file (one machine) or a PostgreSQL database (many). */
export type StoreLocation = { engine: 'sqlite'; file: string } | { engine: 'postgres'; url: string };

/** DATABASE_URL=postgres://... selects PostgreSQL; otherwise the SQLite file at STORE_PATH. */
export function storeLocation(settings: {
  databaseUrl?: string | undefined;
  storePath: string;
}): StoreLocation {
  return settings.databaseUrl
    ? { engine: 'postgres', url: settings.databaseUrl }
    : { engine: 'sqlite', file: settings.storePath };
}

/**
 * Where the store is, for a log line: the SQLite file, or the PostgreSQL host, port and database;
 * never the user or password a URL may carry.
 */
export function describeStoreLocation(location: StoreLocation): string {
  if (location.engine === 'sqlite') return `sqlite ${location.file}`;
  try {
    const url = new URL(location.url);
    const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || '(default database)';
    return `postgres ${url.hostname || 'localhost'}${url.port ? `:${url.port}` : ''}/${database}`;
  } catch {
    return 'postgres (unparsable URL)';
  }
}

export interface StoreConnection {
  db: Kysely<StoreSchema>;
  engine: StoreEngine;
  /** PostgreSQL: statements on every turn's path, run by name on the same pool. */
  prepared?: PreparedStatements;
}

// PostgreSQL sends BIGINT (epoch ms, COUNT) and NUMERIC (SUM of BIGINT) as strings, since they
// can exceed 2^53; ours never do, and the row types say number on both engines.
const INT8_OID = 20;
const NUMERIC_OID = 1700;
const pgTypes = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID || oid === NUMERIC_OID
      ? (value: string) => Number(value)
      : pg.types.getTypeParser(oid, format ?? 'text')) as typeof pg.types.getTypeParser,
};

export interface ConnectOptions {
  /** Called when an idle PostgreSQL connection breaks (the pool replaces it on next use). */
  onPoolError?: (error: Error) => void;
  /** Connections per gateway; default 10. */
  poolSize?: number;
}

export function connectStore(location: StoreLocation, options: ConnectOptions = {}): StoreConnection {
  if (location.engine === 'postgres') {
    const pool = new pg.Pool({
      connectionString: location.url,
      max: options.poolSize ?? 10,
      // Connections stay open between bursts: a new one costs a TCP (and TLS) handshake plus
      // authentication, several round trips on the request path. TCP keep-alive lets a connection
      // a firewall dropped be noticed.
      idleTimeoutMillis: 60_000,
      keepAlive: true,
      // Fail fast when the database is away: requests get a clear 503 instead of hanging.
      connectionTimeoutMillis: 5_000,
      query_timeout: 15_000,
      types: pgTypes,
    });
    // Without a listener, a broken idle connection (database restart) would crash the process.
    pool.on('error', (error) => options.onPoolError?.(error));
    const naming = statementNaming(pool);
    return {
      engine: 'postgres',
      db: new Kysely<StoreSchema>({ dialect: new PostgresDialect({ pool: naming.dialectPool }) }),
      prepared: naming.prepared,
    };
  }
  if (location.file !== ':memory:') mkdirSync(path.dirname(location.file), { recursive: true });
  const sqlite = new Database(location.file);
  // WAL and a busy timeout let the `claude-gateway keys` CLI write while the server runs.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  return {
    engine: 'sqlite',
    db: new Kysely<StoreSchema>({ dialect: new SqliteDialect({ database: sqlite }) }),
  };
}
