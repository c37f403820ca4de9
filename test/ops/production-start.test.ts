import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import pidtree from 'pidtree';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, isAlive } from '../helpers/gateway-harness.js';

const run = promisify(execFile);
const repo = path.resolve('.');
let app: string;

/**
 * A copy of the project as a fresh clone has it (no dist/), with the worktree's installed packages
 * hard-linked in: `npm ci` itself needs the network and minutes (better-sqlite3 is compiled), and
 * `npm prune --omit=dev` later leaves exactly what `npm ci --omit=dev` installs, as the Dockerfile does.
 */
beforeAll(async () => {
  app = await mkdtemp(path.join(tmpdir(), 'claude-gateway-prod-'));
  for (const entry of [
    'package.json',
    'package-lock.json',
    'tsconfig.json',
    'tsconfig.build.json',
    'src',
    'web',
    'scripts',
    'templates',
  ]) {
    await cp(path.join(repo, entry), path.join(app, entry), { recursive: true });
  }
  const from = path.join(repo, 'node_modules');
  const to = path.join(app, 'node_modules');
  // Hard links need one file system; elsewhere a full copy does the same, slower.
  await run('cp', ['-al', from, to]).catch(async () => {
    await rm(to, { recursive: true, force: true });
    await run('cp', ['-a', from, to]);
  });
  // npm rewrites its hidden lockfile when it prunes: never through a link into the worktree.
  const hidden = path.join(app, 'node_modules/.package-lock.json');
  await rm(hidden, { force: true });
  await cp(path.join(repo, 'node_modules/.package-lock.json'), hidden);
});
afterAll(async () => {
  await rm(app, { recursive: true, force: true });
});

interface Started {
  npm: ChildProcess;
  origin: string;
  exited: Promise<number | null>;
  stderr: () => string;
}

/** `npm start` in the copy; resolves when the gateway logs that it listens. */
async function npmStart(): Promise<Started> {
  const npm = spawn('npm', ['start'], {
    cwd: app,
    env: {
      PATH: process.env.PATH,
      HOME: app,
      DATA_DIR: path.join(app, 'data'),
      HOST: '127.0.0.1',
      PORT: '0',
      WARM_SPARES: '0',
      ANTHROPIC_API_KEY: 'sk-ant-unused',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
  let stderr = '';
  npm.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: npm.stdout as NodeJS.ReadableStream }).on('line', (line) => {
      if (!line.startsWith('{')) return; // npm's own "> claude-gateway@… start" banner
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry.msg === 'claude-gateway listening') resolve(entry.port as number);
    });
    void exited.then((code) => reject(new Error(`npm start exited (${code}) before listening:\n${stderr}`)));
  });
  return { npm, origin: `http://127.0.0.1:${port}`, exited, stderr: () => stderr };
}

/** SIGTERM to npm alone, as a service manager sends it: every process under it must end. */
async function stopLikeAServiceManager(started: Started): Promise<void> {
  const pid = started.npm.pid as number;
  const tree = await pidtree(pid);
  expect(tree.length).toBeGreaterThan(0);
  try {
    started.npm.kill('SIGTERM');
    await started.exited;
    expect(await eventually(() => tree.every((child) => !isAlive(child)), 10_000)).toBe(true);
  } finally {
    for (const child of tree) if (isAlive(child)) process.kill(child, 'SIGKILL');
  }
}

describe('npm start', () => {
  it('builds a fresh clone once, then starts from dist/ without dev dependencies; SIGTERM stops it all', {
    timeout: 180_000,
  }, async () => {
    const fresh = await npmStart();
    expect(fresh.stderr()).toContain('building (first start)');
    expect((await fetch(`${fresh.origin}/health`)).status).toBe(200);
    await stopLikeAServiceManager(fresh);

    // The build output ships no tests (they import vitest, a dev dependency).
    const files = await readdir(path.join(app, 'dist'), { recursive: true });
    expect(files.filter((file) => /\.test\.|test-support/.test(file))).toEqual([]);
    expect(files).toContain(path.join('src', 'main.js'));

    await run('npm', ['prune', '--omit=dev', '--offline', '--no-audit', '--no-fund'], { cwd: app });
    expect(existsSync(path.join(app, 'node_modules/typescript'))).toBe(false);
    expect(existsSync(path.join(app, 'node_modules/vitest'))).toBe(false);
    const production = await npmStart();
    expect(production.stderr()).not.toContain('building');
    expect((await fetch(`${production.origin}/health`)).status).toBe(200);
    await stopLikeAServiceManager(production);
  });
});
