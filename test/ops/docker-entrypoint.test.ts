import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, inject, it } from 'vitest';

const ENTRYPOINT = path.resolve('docker/claude-gateway.sh');
/** An unprivileged user every Debian-like system has (the image's own `node` user may not exist here). */
const USER = 'nobody';
const isRoot = process.getuid?.() === 0;
// Only root can hand a directory to another user and drop privileges: without it the test is
// skipped, and never in CI, where it must run.
const canRun = isRoot || process.env.CI === 'true';
if (!canRun) console.warn('docker entrypoint test skipped: it must run as root (sudo npx vitest run …)');

let scratch: string | undefined;
afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

function uidOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/^Uid:\s+(\d+)/m.exec(status)?.[1]);
}

describe.skipIf(!canRun)('docker/claude-gateway.sh (the image entrypoint)', () => {
  it('hands a root-owned data dir to the unprivileged user and runs the gateway as that user', async () => {
    scratch = await mkdtemp(path.join(tmpdir(), 'claude-gateway-entrypoint-'));
    await chmod(scratch, 0o755);
    // What a fresh Fly.io volume or bind mount looks like: owned by root, not writable by others.
    const dataDir = path.join(scratch, 'data');
    await mkdir(path.join(dataDir, 'claude'), { recursive: true, mode: 0o755 });
    expect((await stat(dataDir)).uid).toBe(0);

    const child = spawn(ENTRYPOINT, ['serve'], {
      cwd: path.resolve('.'),
      env: {
        PATH: process.env.PATH,
        GATEWAY_USER: USER,
        // The image runs dist/; here this run's build of the same sources.
        GATEWAY_CLI: inject('gatewayCli'),
        DATA_DIR: dataDir,
        HOST: '127.0.0.1',
        PORT: '0',
        WARM_SPARES: '0',
        ANTHROPIC_API_KEY: 'sk-ant-unused',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
    });
    try {
      const port = await new Promise<number>((resolve, reject) => {
        createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (line) => {
          const entry = JSON.parse(line) as Record<string, unknown>;
          if (entry.msg === 'claude-gateway listening') resolve(entry.port as number);
        });
        void exited.then((code) =>
          reject(new Error(`gateway exited (${code}) before listening:\n${stderr}`)),
        );
      });
      // The script and setpriv exec: the process we started is the gateway itself.
      const nobody = Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' }).trim());
      expect(nobody).toBeGreaterThan(0);
      expect(uidOf(child.pid as number)).toBe(nobody);
      expect((await stat(dataDir)).uid).toBe(nobody);
      expect((await stat(path.join(dataDir, 'claude'))).uid).toBe(nobody);
      expect((await stat(path.join(dataDir, 'gateway.db'))).uid).toBe(nobody);
      const ready = await fetch(`http://127.0.0.1:${port}/ready`);
      expect(((await ready.json()) as { checks: { store_writable: boolean } }).checks.store_writable).toBe(
        true,
      );
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  });
});
