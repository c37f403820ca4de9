import { mkdtempSync, rmSync } from 'node:fs';
import { readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquirePidLock, type PidLockOptions } from './pid-lock.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
function lockFile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'pid-lock-'));
  dirs.push(dir);
  return path.join(dir, 'gateway.lock');
}

/** A process on this host: pid `pid`, alive when `alive` says so. */
const onHost = (pid: number, alive: (pid: number) => boolean = () => true): PidLockOptions => ({
  staleMs: 60_000,
  heartbeatMs: 60_000,
  pid,
  host: 'host-a',
  isAlive: alive,
});

async function holderPid(file: string): Promise<number> {
  return (JSON.parse(await readFile(file, 'utf8')) as { pid: number }).pid;
}

describe('acquirePidLock', () => {
  it('refuses a second live process, and lets it in once the first released', async () => {
    const file = lockFile();
    const first = await acquirePidLock(file, onHost(100));
    expect(first.acquired).toBe(true);
    const second = await acquirePidLock(file, onHost(200));
    expect(second).toMatchObject({ acquired: false, holder: { pid: 100, host: 'host-a' } });
    if (first.acquired) await first.lock.release();
    const third = await acquirePidLock(file, onHost(200));
    expect(third.acquired).toBe(true);
    expect(await holderPid(file)).toBe(200);
  });

  it('takes a lock whose process died (kill -9 leaves the file), or that a restart with the same pid left', async () => {
    const file = lockFile();
    expect((await acquirePidLock(file, onHost(100))).acquired).toBe(true);
    const afterKill = await acquirePidLock(
      file,
      onHost(200, (pid) => pid !== 100),
    );
    expect(afterKill.acquired).toBe(true);
    expect(await holderPid(file)).toBe(200);
    const samePid = await acquirePidLock(file, onHost(200));
    expect(samePid.acquired).toBe(true);
  });

  it('takes a lock whose pid is alive but that was not refreshed for staleMs (the pid was reused)', async () => {
    const file = lockFile();
    expect((await acquirePidLock(file, onHost(100))).acquired).toBe(true);
    const old = new Date(Date.now() - 120_000);
    await utimes(file, old, old);
    expect((await acquirePidLock(file, onHost(200))).acquired).toBe(true);
  });

  it('waits for a holder on another host to go stale, and refuses one that keeps its heartbeat', async () => {
    const file = lockFile();
    const fast = { staleMs: 300, heartbeatMs: 50 };
    const live = await acquirePidLock(file, { ...fast, pid: 100, host: 'host-b' });
    expect(live.acquired).toBe(true);
    const waits: number[] = [];
    const refused = await acquirePidLock(file, {
      ...fast,
      pid: 100,
      host: 'host-a',
      onWait: (holder) => waits.push(holder.pid),
    });
    expect(refused).toMatchObject({ acquired: false, holder: { host: 'host-b' } });
    expect(waits).toEqual([100]);
    // The holder stops (dies without releasing): its file goes stale and is taken.
    if (live.acquired) await live.lock.release();
    await writeFile(file, `${JSON.stringify({ pid: 100, host: 'host-b', startedAt: 1, token: 't' })}\n`);
    const taken = await acquirePidLock(file, { ...fast, pid: 100, host: 'host-a' });
    expect(taken.acquired).toBe(true);
  });

  it('lets exactly one of several starters take a stale lock', async () => {
    const file = lockFile();
    await writeFile(file, `${JSON.stringify({ pid: 1, host: 'host-a', startedAt: 1, token: 'dead' })}\n`);
    const attempts = await Promise.all(
      [201, 202, 203, 204, 205].map((pid) =>
        acquirePidLock(
          file,
          onHost(pid, (p) => p !== 1),
        ),
      ),
    );
    expect(attempts.filter((attempt) => attempt.acquired)).toHaveLength(1);
    const winner = attempts.find((attempt) => attempt.acquired);
    if (winner?.acquired) expect(await holderPid(file)).toBe(winner.lock.holder.pid);
  });

  it('keeps the file fresh while held and tells the holder when it lost it', async () => {
    const file = lockFile();
    let lost = 0;
    const held = await acquirePidLock(file, { staleMs: 1_000, heartbeatMs: 20, onLost: () => lost++ });
    const old = new Date(Date.now() - 60_000);
    await utimes(file, old, old);
    await expect.poll(async () => Date.now() - (await stat(file)).mtimeMs).toBeLessThan(30_000);
    await writeFile(file, `${JSON.stringify({ pid: 1, host: 'x', startedAt: 1, token: 'other' })}\n`);
    await expect.poll(() => lost).toBe(1);
    if (held.acquired) await held.lock.release();
    // Released by a holder that lost it: the other holding's file stays.
    expect(await holderPid(file)).toBe(1);
  });
});
