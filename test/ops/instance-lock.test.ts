import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runServerToExit, type ServerProcess, startServerProcess } from './server-process.js';

/**
 * Two gateway processes started on one host with one DATA_DIR (and so one INSTANCE_ID, the host
 * name): the second must not start and clean up the first's scratch files; a restart after the
 * first was killed (its lock file left behind) must start.
 */
describe('one live gateway per scratch dir', () => {
  let dataDir = '';
  const running: ServerProcess[] = [];
  // Nothing here reaches Claude Code: no spares, no requests.
  const env = () => ({
    DATA_DIR: dataDir,
    WARM_SPARES: '0',
    CLAUDE_CONFIG_DIR: path.join(dataDir, 'claude'),
  });
  const NO_API = 'http://127.0.0.1:9';

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'cg-shared-dir-'));
  });
  afterAll(async () => {
    for (const server of running) await server.cleanup();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('refuses a second live gateway with one line and exit 1, and starts again after the first was killed', async () => {
    const first = await startServerProcess(NO_API, env());
    running.push(first);
    const lock = path.join(dataDir, 'gateway.lock');
    expect(existsSync(lock)).toBe(true);

    const second = await runServerToExit({ ...env(), PORT: '0', ANTHROPIC_API_KEY: 'sk-ant-unused' });
    expect(second.code, second.stderr).toBe(1);
    expect(second.stderr).not.toContain('    at ');
    expect(second.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^claude-gateway: another gateway \\(pid ${first.child.pid} on .*\\) already uses ${dataDir}; .*DATA_DIR`,
        ),
      ),
    ]);
    // The first one is untouched: it still answers.
    expect((await fetch(`${first.origin}/health`)).status).toBe(200);

    first.child.kill('SIGKILL');
    await first.exited;
    expect(existsSync(lock)).toBe(true);
    const restarted = await startServerProcess(NO_API, env());
    running.push(restarted);
    expect((await fetch(`${restarted.origin}/health`)).status).toBe(200);
  });
});
