import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';

/**
 * A throw-away redis-server for tests: the machine's own binary on 127.0.0.1 and a free port, no
 * persistence (no RDB snapshots, no AOF), its working dir a temp dir removed on stop.
 */
export interface RedisServer {
  url: string;
  /** Stops the server (by its PID) and removes its dir; safe to call twice. */
  stop(): Promise<void>;
}

/** Where redis-server is: REDIS_SERVER_BIN, then PATH, then Debian's /usr/bin. */
export function findRedisServer(): string | undefined {
  const candidates = [
    process.env.REDIS_SERVER_BIN,
    ...(process.env.PATH ?? '').split(path.delimiter).map((dir) => path.join(dir, 'redis-server')),
    '/usr/bin/redis-server',
  ].filter((file): file is string => Boolean(file));
  return candidates.find((file) => existsSync(file));
}

/**
 * Why the Redis tests cannot run here, or undefined when they can. Without a binary they are
 * skipped locally, but never under CI=true, where `.ci/run` installs redis-server (and a missing one
 * fails loudly).
 */
export function redisTestsSkipReason(): string | undefined {
  if (process.env.CI === 'true' || findRedisServer() !== undefined) return undefined;
  return 'redis-server not found (REDIS_SERVER_BIN, PATH, /usr/bin): apt-get install redis-server to run the Redis tests';
}

export async function startRedisServer(): Promise<RedisServer> {
  const bin = findRedisServer();
  if (!bin) throw new Error('redis-server not found: apt-get install redis-server');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'cg-redis-'));
  const port = await freePort();
  const child = spawn(
    bin,
    [
      '--bind',
      '127.0.0.1',
      '--port',
      String(port),
      '--dir',
      dir,
      '--save',
      '',
      '--appendonly',
      'no',
      '--daemonize',
      'no',
      '--logfile',
      '',
    ],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const url = `redis://127.0.0.1:${port}`;
  const stop = () => stopServer(child).finally(() => rmSync(dir, { recursive: true, force: true }));
  try {
    await waitUntilAnswering(url, child);
  } catch (error) {
    await stop();
    throw new Error(`redis-server did not start: ${(error as Error).message}\n${log}`);
  }
  return { url, stop };
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

async function waitUntilAnswering(url: string, child: ChildProcess): Promise<void> {
  // Bounded: 100 tries x 100 ms.
  for (let attempt = 0; attempt < 100; attempt++) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with ${child.exitCode}`);
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      if ((await client.ping()) === 'PONG') return;
    } catch {
      // not yet
    } finally {
      client.disconnect();
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('timed out waiting for PING');
}

async function stopServer(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}
