import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runServerToExit } from './server-process.js';

/**
 * What an operator sees when the gateway cannot start: one line on stderr naming what to change,
 * exit status 1, and no stack trace (no "    at " lines).
 */
const quiet = { WARM_SPARES: '0', ANTHROPIC_API_KEY: 'sk-ant-unused' };

function expectOneClearLine(run: { code: number | null; stderr: string }, mentions: RegExp): void {
  expect(run.code, run.stderr).toBe(1);
  expect(run.stderr).not.toContain('    at ');
  const lines = run.stderr.trim().split('\n');
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^claude-gateway: /);
  expect(lines[0]).toMatch(mentions);
}

/** A loopback port something else already listens on. */
async function occupiedPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return { server, port: address.port };
}

/** A loopback port nothing listens on (taken, then released). */
async function closedPort(): Promise<number> {
  const { server, port } = await occupiedPort();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('a gateway that cannot start', () => {
  let holder: { server: Server; port: number };
  beforeAll(async () => {
    holder = await occupiedPort();
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => holder.server.close(() => resolve()));
  });

  it('says in one line that its port is in use, and exits 1', async () => {
    const run = await runServerToExit({ ...quiet, HOST: '127.0.0.1', PORT: String(holder.port) });
    expectOneClearLine(run, new RegExp(`127\\.0\\.0\\.1:${holder.port}.*in use.*PORT`));
  });

  it('says in one line that the database does not answer, without its password, and exits 1', async () => {
    const port = await closedPort();
    const run = await runServerToExit({
      ...quiet,
      DATABASE_URL: `postgres://gateway:hunter2-secret@127.0.0.1:${port}/gateway`,
      DATABASE_CONNECT_WAIT_MS: '1500',
    });
    expectOneClearLine(
      run,
      new RegExp(`cannot open the store \\(postgres 127\\.0\\.0\\.1:${port}/gateway\\).*ECONNREFUSED`),
    );
    expect(run.stderr).not.toContain('hunter2');
  });

  it('says in one line that the SQLite file cannot be created, and exits 1', async () => {
    const run = await runServerToExit({ ...quiet, STORE_PATH: '/dev/null/gateway.db' });
    expectOneClearLine(run, /cannot open the store \(sqlite \/dev\/null\/gateway\.db\)/);
  });
});
