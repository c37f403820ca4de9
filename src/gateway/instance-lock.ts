import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import { StartupError } from '../contract/startup-error.js';
import { acquirePidLock, type HeldLock, type LockHolder } from '../util/pid-lock.js';

/** A gateway on another host sharing the directory counts as gone this long after its last heartbeat. */
const STALE_MS = 30_000;
const HEARTBEAT_MS = 5_000;

/**
 * One live gateway per scratch dir (config.instanceDir): a starting gateway deletes Claude Code's
 * temp files and stale sessions there, which would pull them from under another gateway using it.
 * INSTANCE_ID stays stable across restarts (the host name by default), because a restarted gateway
 * finds the tasks its earlier process left running by it; the lock is what keeps two live gateways
 * from sharing it. A lock left by a process that died (kill -9, a crash) does not hold a restart up.
 */
export async function lockInstanceDir(config: Config, logger: Logger): Promise<HeldLock> {
  await mkdir(config.instanceDir, { recursive: true });
  const file = path.join(config.instanceDir, 'gateway.lock');
  const attempt = await acquirePidLock(file, {
    staleMs: STALE_MS,
    heartbeatMs: HEARTBEAT_MS,
    onWait: (holder) =>
      logger.info(
        { pid: holder.pid, host: holder.host, lock: file },
        'another host holds this instance dir: waiting to see whether it still runs',
      ),
    onLost: () =>
      logger.error(
        { lock: file },
        'the instance dir lock was removed or taken over: another gateway may share it',
      ),
  });
  if (!attempt.acquired) throw new StartupError(refusal(config, file, attempt.holder));
  return attempt.lock;
}

function refusal(config: Config, file: string, holder: LockHolder): string {
  const who = `another gateway (pid ${holder.pid} on ${holder.host}, started ${new Date(holder.startedAt).toISOString()})`;
  const remedy = config.DATABASE_URL
    ? `give this one its own INSTANCE_ID (now '${config.instanceId}')`
    : 'give this one its own DATA_DIR';
  return `${who} already uses ${config.instanceDir}; stop it or ${remedy} (lock: ${file}).`;
}
