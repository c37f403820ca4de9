import { randomUUID } from 'node:crypto';
import { link, mkdir, readFile, rmdir, stat, unlink, utimes, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';

/** Who holds a lock file: written once by the holder, its mtime refreshed while it lives. */
export interface LockHolder {
  pid: number;
  host: string;
  startedAt: number;
  /** Tells this holding apart from any other by the same pid (a restart) or on another host. */
  token: string;
}

export interface HeldLock {
  readonly holder: LockHolder;
  /** Stops the heartbeat and removes the file if it is still this holding's. */
  release(): Promise<void>;
}

export type LockAttempt = { acquired: true; lock: HeldLock } | { acquired: false; holder: LockHolder };

export interface PidLockOptions {
  /** A holder on another host whose file was not refreshed for this long is gone. */
  staleMs: number;
  /** How often a holder refreshes its file's mtime (well under staleMs). */
  heartbeatMs: number;
  /** Told when the file stopped being this holding's (deleted, or taken over as stale). */
  onLost?: () => void;
  /** Told once when it waits for a holder on another host to show it is gone. */
  onWait?: (holder: LockHolder) => void;
  pid?: number;
  host?: string;
  isAlive?: (pid: number) => boolean;
}

const MAX_ATTEMPTS = 20;
const TAKEOVER_RETRY_MS = 25;
const ABANDONED_TAKEOVER_MS = 10_000;

/**
 * An exclusive lock file for one live process. Another process holds it while that process lives:
 * on the same host its pid is asked (a lock left by a killed process is taken at once, even by a
 * restart that got the same pid); on another host sharing the directory only the heartbeat can
 * tell, so a holder there counts as live until its file goes `staleMs` without a refresh (the
 * attempt waits that long before refusing).
 */
export async function acquirePidLock(file: string, options: PidLockOptions): Promise<LockAttempt> {
  const me: LockHolder = {
    pid: options.pid ?? process.pid,
    host: options.host ?? hostname(),
    startedAt: Date.now(),
    token: randomUUID(),
  };
  const judge = judgeWith(me, options);
  let waitedFor: string | undefined;
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    if (await createExclusively(file, me)) return { acquired: true, lock: hold(file, me, options) };
    const verdict = await judge(file);
    if (verdict.state === 'live') return { acquired: false, holder: verdict.holder };
    if (verdict.state === 'remote') {
      // Wait once, for as long as a dead holder's file takes to go stale; a live one refreshes it.
      if (waitedFor === verdict.holder.token) return { acquired: false, holder: verdict.holder };
      waitedFor = verdict.holder.token;
      options.onWait?.(verdict.holder);
      await delay(options.staleMs - verdict.ageMs + options.heartbeatMs);
    } else if (verdict.state === 'stale') {
      await removeIfStill(file, verdict.token, judge);
    }
  }
  throw new Error(`could not take the lock ${file}: it kept changing hands`);
}

type Verdict =
  | { state: 'gone' }
  | { state: 'live'; holder: LockHolder }
  /** Held from another host and refreshed lately: only waiting tells whether it still runs. */
  | { state: 'remote'; holder: LockHolder; ageMs: number }
  /** Left by a process that is gone; `token` undefined: a file that names no holder. */
  | { state: 'stale'; token: string | undefined };

function judgeWith(me: LockHolder, options: PidLockOptions): (file: string) => Promise<Verdict> {
  const isAlive = options.isAlive ?? processExists;
  return async (file) => {
    const current = await readHolder(file);
    if (current === 'gone') return { state: 'gone' };
    if (current === 'unreadable') return { state: 'stale', token: undefined };
    const { holder, ageMs } = current;
    const fresh = ageMs < options.staleMs;
    if (holder.host !== me.host)
      return fresh ? { state: 'remote', holder, ageMs } : { state: 'stale', token: holder.token };
    const live = fresh && holder.pid !== me.pid && isAlive(holder.pid);
    return live ? { state: 'live', holder } : { state: 'stale', token: holder.token };
  };
}

/** Create-if-absent with the whole content at once: a reader never sees a half-written holder. */
async function createExclusively(file: string, holder: LockHolder): Promise<boolean> {
  const draft = `${file}.${holder.token}`;
  await writeFile(draft, `${JSON.stringify(holder)}\n`, { mode: 0o644 });
  try {
    await link(draft, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await unlink(draft).catch(() => undefined);
  }
}

type HolderReading = { holder: LockHolder; ageMs: number } | 'gone' | 'unreadable';

async function readHolder(file: string): Promise<HolderReading> {
  try {
    const [text, info] = await Promise.all([readFile(file, 'utf8'), stat(file)]);
    const holder = parseHolder(text);
    return holder ? { holder, ageMs: Date.now() - info.mtimeMs } : 'unreadable';
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
}

/**
 * Removes a stale lock under a takeover mark (a directory: mkdir is atomic), judged again there, so
 * of several starters that found it stale one removes it and the others then find the new holder.
 */
async function removeIfStill(
  file: string,
  judgedToken: string | undefined,
  judge: (file: string) => Promise<Verdict>,
): Promise<void> {
  const mark = `${file}.takeover`;
  try {
    await mkdir(mark);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    // Held for milliseconds by a live starter; older, it was left by one that died holding it.
    const age = await stat(mark).then(
      (info) => Date.now() - info.mtimeMs,
      () => 0,
    );
    if (age > ABANDONED_TAKEOVER_MS) await rmdir(mark).catch(() => undefined);
    await delay(TAKEOVER_RETRY_MS);
    return;
  }
  try {
    const again = await judge(file);
    if (again.state === 'stale' && again.token === judgedToken) await unlink(file).catch(() => undefined);
  } finally {
    await rmdir(mark).catch(() => undefined);
  }
}

function hold(file: string, me: LockHolder, options: PidLockOptions): HeldLock {
  // One beat at a time (a slow disk must not stack them), and the loss is told once.
  let beating = false;
  let held = true;
  const beat = async () => {
    if (!(await stillMine(file, me.token))) {
      if (held) options.onLost?.();
      held = false;
      clearInterval(timer);
      return;
    }
    const now = new Date();
    await utimes(file, now, now).catch(() => undefined);
  };
  const timer = setInterval(() => {
    if (beating || !held) return;
    beating = true;
    void beat().finally(() => {
      beating = false;
    });
  }, options.heartbeatMs);
  timer.unref();
  return {
    holder: me,
    async release() {
      held = false;
      clearInterval(timer);
      if (await stillMine(file, me.token)) await unlink(file).catch(() => undefined);
    },
  };
}

async function stillMine(file: string, token: string): Promise<boolean> {
  const holder = parseHolder(await readFile(file, 'utf8').catch(() => ''));
  return holder?.token === token;
}

function parseHolder(text: string): LockHolder | undefined {
  try {
    const value = JSON.parse(text) as Partial<LockHolder>;
    if (
      typeof value.pid === 'number' &&
      typeof value.host === 'string' &&
      typeof value.startedAt === 'number' &&
      typeof value.token === 'string'
    ) {
      return { pid: value.pid, host: value.host, startedAt: value.startedAt, token: value.token };
    }
  } catch {
    // An empty or foreign file holds nothing.
  }
  return undefined;
}

/** Signal 0 checks existence; EPERM means it exists under another user. */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
