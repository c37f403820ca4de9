import { setTimeout as delay } from 'node:timers/promises';

export interface WaitForDatabaseOptions {
  /** How long the first connection may keep failing before start-up gives up; 0: one attempt. */
  waitMs: number;
  retryEveryMs?: number;
  /** Told of each failed attempt that will be retried. */
  onRetry?: (error: unknown) => void;
}

/**
 * Waits until the database answers, retrying what a database still starting gives (connection
 * refused, a name that does not resolve yet, PostgreSQL's "starting up"), and gives up at once on a
 * refusal that waiting does not cure (wrong password, no such database).
 */
export async function waitForDatabase(
  probe: () => Promise<unknown>,
  options: WaitForDatabaseOptions,
): Promise<void> {
  const retryEveryMs = options.retryEveryMs ?? 500;
  const deadline = Date.now() + options.waitMs;
  for (;;) {
    try {
      await probe();
      return;
    } catch (error) {
      if (!mayAnswerLater(error) || Date.now() + retryEveryMs > deadline) throw error;
      options.onRetry?.(error);
      await delay(retryEveryMs);
    }
  }
}

/** Network errors retry; of PostgreSQL's SQLSTATEs only "cannot connect now" and class 08 (connection). */
function mayAnswerLater(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return true;
  return code === '57P03' || code.startsWith('08');
}
