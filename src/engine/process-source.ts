import type { Conversation } from './conversation.js';
import type { ClaudeLaunch } from './options/claude-launch.js';
import type { SpawnedRun } from './processes/process-registry.js';

/**
 * Where a run gets its Claude Code process and where that process goes when the run is over. The
 * runner only runs turns; whether the process is started for the run, taken from spares started
 * ahead, or kept from the session's last turn is the source's business.
 */
export interface ProcessSource {
  /**
   * Whether every launch must hold its start until the SDK's initialize request: the source may
   * hand a run a process spawned before the run was known, and the run's own options travel there.
   */
  readonly awaitsInitialize: boolean;
  /**
   * The id to write an untracked rebuilt history's transcript under: one a process started ahead
   * already resumes (it reads the transcript only after `initialize`), or undefined for a new one.
   * Asked before the transcript is written.
   */
  reserveRebuildId(): string | undefined;
  /** Serves one run of `launch`; an abort of `signal` ends whatever process the run has by then. */
  lease(launch: ClaudeLaunch, signal: AbortSignal): ProcessLease;
}

/** One run's hold on a process, from its start until the process is kept or ended. */
export interface ProcessLease {
  /** Whether the process may outlive this turn (kept for the session's next one): its input stays open. */
  readonly keepsProcess: boolean;
  /** A started conversation for the run: its origin says whether it was started for it. */
  acquire(): Promise<Conversation>;
  /**
   * `failed`, a process not started for this run, could not take the turn or ended before it
   * answered (nothing reached the client): ends it and starts a process for the run instead.
   */
  replace(failed: Conversation): Promise<Conversation>;
  /** The run has its first answer. */
  answered(): void;
  /** The run's process as far as it has one, for failure reports. */
  process(): SpawnedRun | undefined;
  /**
   * The run is over: keeps the process for the session's next turn when it may be kept (the run
   * `completed`: Claude Code gave its result without error), else ends it. Resolves once done.
   */
  release(completed: boolean): Promise<void>;
}
