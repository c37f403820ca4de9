import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';

export interface TempSweeperOptions {
  dir: string;
  /** Entries whose names start with one of these are Claude Code's per-process leftovers. */
  prefixes: readonly string[];
  maxAgeMs: number;
  intervalMs: number;
  now?: () => number;
}

export interface TempSweeper {
  sweep(): Promise<number>;
  stop(): void;
}

/**
 * Every Claude Code start leaves a small `fswatch-probe-*` folder in its temp dir and never removes
 * it; a gateway that runs for weeks would pile up one per request. Old ones are swept periodically.
 */
export function startTempSweeper(options: TempSweeperOptions): TempSweeper {
  const now = options.now ?? Date.now;
  const sweep = async (): Promise<number> => {
    let names: string[];
    try {
      names = await readdir(options.dir);
    } catch {
      return 0;
    }
    let removed = 0;
    for (const name of names) {
      if (!options.prefixes.some((prefix) => name.startsWith(prefix))) continue;
      const entry = path.join(options.dir, name);
      try {
        const { mtimeMs } = await stat(entry);
        if (now() - mtimeMs < options.maxAgeMs) continue;
        await rm(entry, { recursive: true, force: true });
        removed++;
      } catch {
        // Gone already, or still being written: the next sweep decides.
      }
    }
    return removed;
  };
  const timer = setInterval(() => void sweep(), options.intervalMs);
  timer.unref();
  return { sweep, stop: () => clearInterval(timer) };
}
