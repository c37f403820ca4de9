import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTempSweeper } from './temp-sweeper.js';

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('startTempSweeper', () => {
  it('removes old leftovers with the given prefixes and keeps fresh ones and everything else', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'sweeper-'));
    const old = new Date(Date.now() - 60 * 60_000);
    for (const name of ['fswatch-probe-old', 'fswatch-probe-new', 'session-images']) {
      await mkdir(path.join(dir, name));
      await writeFile(path.join(dir, name, 'probe'), 'x');
    }
    await utimes(path.join(dir, 'fswatch-probe-old'), old, old);
    await utimes(path.join(dir, 'session-images'), old, old);
    const sweeper = startTempSweeper({
      dir,
      prefixes: ['fswatch-probe-'],
      maxAgeMs: 10 * 60_000,
      intervalMs: 60_000,
    });
    try {
      expect(await sweeper.sweep()).toBe(1);
      expect((await readdir(dir)).sort()).toEqual(['fswatch-probe-new', 'session-images']);
    } finally {
      sweeper.stop();
    }
  });

  it('treats a missing directory as nothing to do', async () => {
    const sweeper = startTempSweeper({
      dir: path.join(tmpdir(), 'does-not-exist-sweeper'),
      prefixes: ['fswatch-probe-'],
      maxAgeMs: 0,
      intervalMs: 60_000,
    });
    expect(await sweeper.sweep()).toBe(0);
    sweeper.stop();
  });
});
