import { type ChildProcess, spawn } from 'node:child_process';
import type { SpawnedProcess, SpawnOptions } from '@anthropic-ai/claude-agent-sdk';
import pidtree from 'pidtree';

export interface ProcessRegistryOptions {
  /** Time between the polite signal and SIGKILL when a run is torn down. */
  killGraceMs: number;
  onSpawn?: (pid: number) => void;
  onExit?: (pid: number) => void;
}

export interface SpawnedRun {
  process: SpawnedProcess;
  child: ChildProcess;
  /** The last few KB of stderr, kept for crash messages. */
  stderrTail(): string;
}

const STDERR_TAIL_BYTES = 4096;

/**
 * Spawns Claude Code processes and is the single place that can end them. Each CLI gets its own
 * process group so a kill reaches its tool subprocesses too; tools that start their own group
 * (the Bash tool does) are found through the process tree and killed one by one.
 */
export class ProcessRegistry {
  readonly #live = new Map<number, ChildProcess>();
  readonly #options: ProcessRegistryOptions;

  constructor(options: ProcessRegistryOptions) {
    this.#options = options;
  }

  get liveCount(): number {
    return this.#live.size;
  }

  livePids(): number[] {
    return [...this.#live.keys()];
  }

  spawn(options: SpawnOptions): SpawnedRun {
    const child = spawn(options.command, options.args, {
      cwd: options.cwd,
      env: options.env,
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
    });
    let tail = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (data: string) => {
      tail = (tail + data).slice(-STDERR_TAIL_BYTES);
    });
    const pid = child.pid;
    if (pid !== undefined) {
      this.#live.set(pid, child);
      this.#options.onSpawn?.(pid);
      child.once('exit', () => {
        this.#live.delete(pid);
        this.#options.onExit?.(pid);
      });
    }
    // The SDK aborts this signal after its own graceful-close window; by then we want it gone.
    options.signal.addEventListener('abort', () => void this.terminate(child), { once: true });
    return { process: child, child, stderrTail: () => tail };
  }

  /** Ends a CLI process and everything it started; resolves once the CLI itself has exited. */
  async terminate(child: ChildProcess): Promise<void> {
    const pid = child.pid;
    if (pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const descendants = await listDescendants(pid);
    signalTree(pid, descendants, 'SIGTERM');
    // A spare stopped while it started (start-yield.ts) would hold SIGTERM pending until the kill
    // grace ran out: continue it so it handles the SIGTERM now.
    signalTree(pid, descendants, 'SIGCONT');
    const timer = setTimeout(() => {
      signalTree(pid, descendants, 'SIGKILL');
    }, this.#options.killGraceMs);
    await exited;
    clearTimeout(timer);
    // Tool processes in their own group outlive a group kill; make sure none is left.
    for (const descendant of descendants) safeKill(descendant, 'SIGKILL');
  }

  async terminateAll(): Promise<void> {
    await Promise.all([...this.#live.values()].map((child) => this.terminate(child)));
  }
}

async function listDescendants(pid: number): Promise<number[]> {
  try {
    return await pidtree(pid);
  } catch {
    return [];
  }
}

function signalTree(pid: number, descendants: readonly number[], signal: NodeJS.Signals): void {
  safeKill(-pid, signal);
  for (const descendant of descendants) safeKill(descendant, signal);
}

function safeKill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone: nothing to do.
  }
}
