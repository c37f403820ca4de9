import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

/**
 * A throw-away PostgreSQL cluster for tests: initdb into a temp dir, a postmaster on a free
 * loopback port (no Unix socket outside the cluster dir), trust auth, fsync off. PostgreSQL refuses
 * to run as root, so as root (CI, this machine) it runs as `nobody` through util-linux's setpriv.
 */
export interface PostgresCluster {
  /** A connection URL for `database` (default: the maintenance database `postgres`). */
  url(database?: string): string;
  /** A fresh, empty database; returns its URL. */
  createDatabase(): Promise<string>;
  /** Stops the postmaster (by its PID) and deletes the cluster. */
  stop(): Promise<void>;
}

const UNPRIVILEGED_UID = 65534; // nobody
const UNPRIVILEGED_GID = 65534; // nogroup

/**
 * Where initdb and postgres are: PG_BIN, then PATH, then Debian's /usr/lib/postgresql/<ver>/bin
 * (what `apt-get install postgresql` gives; it is not on PATH there).
 */
export function findPostgresBin(): string | undefined {
  const candidates = [
    process.env.PG_BIN,
    ...(process.env.PATH ?? '').split(path.delimiter),
    ...debianBinDirs(),
  ].filter((dir): dir is string => Boolean(dir));
  return candidates.find(
    (dir) => existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'postgres')),
  );
}

function debianBinDirs(): string[] {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => path.join(root, version, 'bin'));
}

/**
 * True when the PostgreSQL tests should run. Without binaries they are skipped locally, but under
 * CI=true they must run (and fail loudly if PostgreSQL is missing): `.ci/run` installs it.
 */
export function postgresTestsEnabled(): boolean {
  return process.env.CI === 'true' || findPostgresBin() !== undefined;
}

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const bin = findPostgresBin();
  if (!bin) {
    throw new Error(
      'PostgreSQL binaries not found (looked in PG_BIN, PATH and /usr/lib/postgresql/*/bin): apt-get install postgresql',
    );
  }
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cg-pg-'));
  const dataDir = path.join(dir, 'data');
  if (asRoot) chownSync(dir, UNPRIVILEGED_UID, UNPRIVILEGED_GID);
  const command = (file: string, args: string[]): [string, string[]] =>
    asRoot
      ? [
          'setpriv',
          [
            `--reuid=${UNPRIVILEGED_UID}`,
            `--regid=${UNPRIVILEGED_GID}`,
            '--clear-groups',
            path.join(bin, file),
            ...args,
          ],
        ]
      : [path.join(bin, file), args];

  try {
    const [initdb, initArgs] = command('initdb', [
      '-D',
      dataDir,
      '-U',
      'postgres',
      '--auth=trust',
      '--encoding=UTF8',
      '--no-sync',
    ]);
    execFileSync(initdb, initArgs, { cwd: dir, stdio: 'pipe', env: { ...process.env, LC_ALL: 'C' } });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const stderr = (error as { stderr?: Buffer }).stderr?.toString() ?? '';
    throw new Error(`initdb failed: ${stderr || String(error)}`);
  }

  const port = await freePort();
  const [postgres, args] = command('postgres', [
    '-D',
    dataDir,
    '-p',
    String(port),
    '-h',
    '127.0.0.1',
    '-k',
    dir,
    '-F',
    '-c',
    'max_connections=200',
  ]);
  // setpriv execs postgres in place, so this PID is the postmaster's.
  const child = spawn(postgres, args, {
    cwd: dir,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, LC_ALL: 'C' },
  });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  const url = (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`;
  const stop = () => stopPostmaster(child).finally(() => rmSync(dir, { recursive: true, force: true }));

  try {
    await waitUntilAccepting(url(), child);
  } catch (error) {
    await stop();
    throw new Error(`PostgreSQL did not start: ${(error as Error).message}\n${log}`);
  }

  return {
    url,
    async createDatabase() {
      const name = `t_${randomBytes(6).toString('hex')}`;
      const client = new pg.Client({ connectionString: url() });
      await client.connect();
      try {
        await client.query(`CREATE DATABASE ${name}`);
      } finally {
        await client.end();
      }
      return url(name);
    },
    stop,
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilAccepting(url: string, child: ChildProcess): Promise<void> {
  // Bounded: 300 tries x 100 ms; a loaded 2-core machine can take several seconds.
  for (let attempt = 0; attempt < 300; attempt++) {
    if (child.exitCode !== null) throw new Error(`postmaster exited with ${child.exitCode}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch {
      await client.end().catch(() => undefined);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error('timed out waiting for connections');
}

async function stopPostmaster(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // SIGINT is PostgreSQL's "fast" shutdown: ends sessions, no waiting for clients.
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
