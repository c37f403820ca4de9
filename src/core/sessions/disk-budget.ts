import { lstat, readdir } from 'node:fs/promises';
import path from 'node:path';

/** Bytes on disk under `paths` (files, and folders recursively); missing paths count 0. */
export async function diskUsage(paths: readonly string[]): Promise<number> {
  const sizes = await Promise.all(paths.map((target) => usageOf(target)));
  return sizes.reduce((sum, size) => sum + size, 0);
}

async function usageOf(target: string): Promise<number> {
  const stats = await lstat(target).catch(() => undefined);
  if (!stats) return 0;
  if (!stats.isDirectory()) return stats.size;
  const names = await readdir(target).catch(() => [] as string[]);
  return diskUsage(names.map((name) => path.join(target, name)));
}

export interface BudgetedSession {
  /** Bytes last measured for the session; 0 until its first measurement. */
  bytes: number;
  /** A session running a turn is never evicted. */
  busy: boolean;
}

/**
 * Which sessions to evict so the rest fit in `maxBytes`: least recently used first (`sessions` is
 * in recency order, oldest first), busy ones skipped.
 */
export function overBudget<T extends BudgetedSession>(sessions: Iterable<T>, maxBytes: number): T[] {
  const all = [...sessions];
  let total = all.reduce((sum, session) => sum + session.bytes, 0);
  const evict: T[] = [];
  for (const session of all) {
    if (total <= maxBytes) break;
    if (session.busy) continue;
    evict.push(session);
    total -= session.bytes;
  }
  return evict;
}
