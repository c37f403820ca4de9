import { createHash, randomUUID } from 'node:crypto';
import type { SpawnOptions } from '@anthropic-ai/claude-agent-sdk';
import type { Logger } from 'pino';
import { canonicalJson } from '../../util/canonical-json.js';
import type { IdleProcesses } from '../processes/process-budget.js';
import type { ProcessRegistry, SpawnedRun } from '../processes/process-registry.js';
import type { SpareDemand } from './spare-demand.js';

export interface OpenSparesDeps {
  demand: SpareDemand;
  processes: ProcessRegistry;
  /** Whether one more idle process fits under the process cap right now. */
  hasRoomForIdle: () => boolean;
  /** False while a run starts Claude Code cold: spares wait rather than take its CPU. */
  mayStart?: () => boolean;
  /** A spare's process is handed to a run (it may have been stopped while it started). */
  onHandOver?: (pid: number) => void;
  /** Consecutive misses with the same other launch before the spares switch to it. */
  switchAfterMisses?: number;
  /** First delay before starting again after a spare died while idle; doubles up to a minute. */
  retryDelayMs?: number;
  /**
   * The flag that gives each spare its own conversation id: `--session-id` (new conversations, the
   * default) or `--resume` (rebuilt histories: a run writes its transcript under a spare's id, which
   * works because Claude Code reads the transcript only after `initialize`).
   */
  idFlag?: IdFlag;
  logger: Pick<Logger, 'debug' | 'warn'>;
  now?: () => number;
}

/** Running totals, for tests, the benchmark and logs. */
export interface OpenSparesCounters {
  used: number;
  missed: number;
  started: number;
  failed: number;
}

/** The launch flag that names the conversation a spare serves. */
export type IdFlag = '--session-id' | '--resume';

/** How Claude Code is launched, without the per-run abort signal. */
type Launch = Omit<SpawnOptions, 'signal'>;

interface Slot {
  key: string;
  run: SpawnedRun;
  since: number;
  /** The session id it was launched with, when runs record sessions (each spare has its own). */
  sessionId: string | undefined;
  /** Handed out by `promiseSessionId`: only the run with that session id may use it. */
  promised: boolean;
}

const AWAIT_INITIALIZE = '--await-initialize';
/**
 * Flags whose value the SDK's initialize request carries as well: a process waiting for it takes
 * the value from there (checked against the mock: the same StructuredOutput tool and schema reach
 * the API), so dropping them lets one launch serve every value.
 */
const CARRIED_BY_INITIALIZE = ['--json-schema'];
/** Launches that continue a conversation: a process started for one can serve no other run. */
const CONVERSATION_FLAGS = ['--resume', '--continue', '--fork-session'];
/** The id a new session is recorded under: each spare has its own (see `promiseSessionId`). */
const SESSION_ID: IdFlag = '--session-id';
const SESSION_PLACEHOLDER = '<session-id>';
const MAX_RETRY_DELAY_MS = 60_000;
/** Generous for a loaded 2-core machine: the launch work is ~0.2 s of CPU. */
const LAUNCH_WORK_MS = 3_000;

/**
 * Claude Code processes spawned ahead of demand with `--await-initialize`: started, but holding
 * still until the SDK's `initialize` control request arrives. That request carries what differs
 * most between new conversations (the system prompt, the output JSON schema, in-process MCP
 * servers such as the client's tools, hooks, agents), so one of these spares serves any run
 * launched with the same command line, working directory and environment, whatever those are:
 * the SDK spawns through `spawn` below, which hands over a spare whose launch is identical and
 * otherwise spawns as usual. The SDK then sends the run's own `initialize`, so the API sees what a
 * cold start would send.
 *
 * The process does its launch work (about 40% of a cold start's CPU here) before it waits, so a
 * run on one of these is faster than cold but slower than on a spare started with the run's exact
 * options (`WarmPool`), which has initialized too. The two work together: a run whose options
 * match the warm pool's takes that spare; any other run (another system prompt, or the warm pool
 * ran dry in a burst) comes here when the SDK spawns.
 *
 * Which launch: learnt from the runs that miss (the first one, and later one that misses
 * `switchAfterMisses` times in a row).
 */
export class OpenSpares implements IdleProcesses {
  readonly #deps: OpenSparesDeps;
  readonly #slots = new Set<Slot>();
  readonly #switchAfterMisses: number;
  readonly #now: () => number;
  readonly #idFlag: IdFlag;
  #template: { key: string; launch: Launch } | undefined;
  #miss: { key: string; count: number } | undefined;
  #failures = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  #trimTimer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly counters: OpenSparesCounters = { used: 0, missed: 0, started: 0, failed: 0 };

  constructor(deps: OpenSparesDeps) {
    this.#deps = deps;
    this.#switchAfterMisses = deps.switchAfterMisses ?? 2;
    this.#now = deps.now ?? Date.now;
    this.#idFlag = deps.idFlag ?? SESSION_ID;
  }

  get idleCount(): number {
    return this.#slots.size;
  }

  /**
   * The SDK's spawn hook for a run: an idle spare launched exactly like this, or a new process. The
   * spare is then the run's, ended by the run's abort signal like a process spawned for it.
   */
  spawn(requested: SpawnOptions): SpawnedRun {
    const options = { ...requested, args: withoutInitializeArgs(requested.args) };
    const { args, sessionId } = withoutSessionId(options.args, this.#idFlag);
    const general = { ...options, args };
    const key = this.#closed || !this.#deps.demand.enabled ? undefined : launchKey(general, this.#idFlag);
    if (key === undefined) return this.#deps.processes.spawn(options);
    this.#deps.demand.noteArrival();
    const slot = [...this.#slots].find(
      (candidate) =>
        candidate.key === key &&
        isAlive(candidate.run) &&
        (sessionId === undefined
          ? !candidate.promised && candidate.sessionId === undefined
          : candidate.sessionId === sessionId),
    );
    if (slot) {
      this.#slots.delete(slot);
      this.counters.used += 1;
      this.#deps.demand.noteTaken();
      const { child } = slot.run;
      if (child.pid !== undefined) this.#deps.onHandOver?.(child.pid);
      options.signal.addEventListener('abort', () => void this.#deps.processes.terminate(child), {
        once: true,
      });
      return slot.run;
    }
    this.counters.missed += 1;
    this.#noteMiss(key, general);
    // A spare promised this session id is of no use now: this run records the session itself.
    if (sessionId !== undefined) this.forgetSession(sessionId);
    return this.#deps.processes.spawn(options);
  }

  /**
   * The session id for a new conversation, chosen so a spare can serve its first turn: a spare for
   * runs that record sessions was launched with its own id (Claude Code takes it at launch).
   */
  promiseSessionId(): string | undefined {
    const slot = [...this.#slots].find(
      (candidate) => !candidate.promised && candidate.sessionId !== undefined && isAlive(candidate.run),
    );
    if (!slot) return undefined;
    slot.promised = true;
    return slot.sessionId;
  }

  /** Whether a live spare holds this session id (promised to the run that has it). */
  holdsSession(sessionId: string): boolean {
    return [...this.#slots].some((slot) => slot.sessionId === sessionId && isAlive(slot.run));
  }

  /** The session is gone (or went elsewhere): a spare still holding its id can serve nobody. */
  forgetSession(sessionId: string): void {
    for (const slot of this.#slots) {
      if (slot.sessionId === sessionId) void this.#closeSlot(slot).then(() => this.fill());
    }
  }

  /** A run slot was released: the moment to replace used spares without slowing a running answer. */
  released(): void {
    this.#deps.demand.noteReleased();
    this.fill();
  }

  /** Starts spares up to what the traffic needs (within the process cap); ends surplus ones. */
  fill(): void {
    const template = this.#template;
    if (this.#closed || !template) return;
    const target = this.#deps.demand.target();
    if (!this.#retryTimer && (this.#deps.mayStart?.() ?? true)) {
      while (this.#slots.size < target && this.#deps.hasRoomForIdle()) this.#start(template);
    }
    const surplus = [...this.#slots]
      .filter((slot) => !slot.promised)
      .sort((a, b) => a.since - b.since)
      .slice(0, Math.max(0, this.#slots.size - target));
    for (const slot of surplus) void this.#closeSlot(slot);
    if (!this.#trimTimer && this.#slots.size > this.#deps.demand.min) {
      // Look again once the arrivals have aged out of the window, so a quiet gateway shrinks.
      this.#trimTimer = setTimeout(() => {
        this.#trimTimer = undefined;
        this.fill();
      }, this.#deps.demand.windowMs / 2);
      this.#trimTimer.unref();
    }
  }

  livePids(): number[] {
    return [...this.#slots].flatMap((slot) => slot.run.child.pid ?? []);
  }

  /**
   * Spares young enough to be doing their launch work (it takes a few hundred ms of CPU before the
   * process waits for initialize; stopping one that already waits costs nothing).
   */
  startingPids(): number[] {
    const since = this.#now() - LAUNCH_WORK_MS;
    return [...this.#slots].flatMap((slot) => (slot.since >= since ? (slot.run.child.pid ?? []) : []));
  }

  oldestIdleSince(): number | undefined {
    const times = [...this.#slots].map((slot) => slot.since);
    return times.length > 0 ? Math.min(...times) : undefined;
  }

  /** Promised spares go last: a run is about to take each (ending one wastes its start). */
  async evictOldest(): Promise<void> {
    const oldest = [...this.#slots].sort(
      (a, b) => Number(a.promised) - Number(b.promised) || a.since - b.since,
    )[0];
    if (oldest) await this.#closeSlot(oldest);
  }

  /** Stops refilling and ends every spare; resolves once their processes have exited. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#trimTimer);
    await Promise.all([...this.#slots].map((slot) => this.#closeSlot(slot)));
  }

  #noteMiss(key: string, options: SpawnOptions): void {
    if (this.#template?.key === key) {
      this.#miss = undefined;
      return;
    }
    this.#miss = this.#miss?.key === key ? { key, count: this.#miss.count + 1 } : { key, count: 1 };
    if (this.#template && this.#miss.count < this.#switchAfterMisses) return;
    this.#deps.logger.debug('open spares: following the launch of recent runs');
    const { signal: _signal, ...launch } = options;
    this.#template = { key, launch };
    this.#miss = undefined;
    for (const slot of this.#slots) if (slot.key !== key) void this.#closeSlot(slot);
    // Not now: the run that missed is starting its own process and should have the CPU.
  }

  #start(template: { key: string; launch: Launch }): void {
    const sessionId = template.launch.args.some((arg) => arg.endsWith(SESSION_PLACEHOLDER))
      ? randomUUID()
      : undefined;
    const args = template.launch.args.map((arg) =>
      arg.endsWith(SESSION_PLACEHOLDER) ? arg.replace(SESSION_PLACEHOLDER, sessionId as string) : arg,
    );
    // Its own signal: nothing aborts a spare but `close()`; a run that takes it adds its own.
    const run = this.#deps.processes.spawn({
      ...template.launch,
      args,
      signal: new AbortController().signal,
    });
    const slot: Slot = { key: template.key, run, since: this.#now(), sessionId, promised: false };
    this.#slots.add(slot);
    this.counters.started += 1;
    run.child.once('exit', () => {
      if (this.#slots.delete(slot)) this.#onDied();
    });
    run.child.once('error', () => {
      if (this.#slots.delete(slot)) this.#onDied();
    });
  }

  #onDied(): void {
    if (this.#closed) return;
    this.#failures += 1;
    this.counters.failed += 1;
    const delayMs = Math.min(
      (this.#deps.retryDelayMs ?? 1_000) * 2 ** (this.#failures - 1),
      MAX_RETRY_DELAY_MS,
    );
    this.#deps.logger.warn({ retryInMs: delayMs }, 'open spares: an idle Claude Code process exited');
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.fill();
    }, delayMs);
    this.#retryTimer.unref();
  }

  async #closeSlot(slot: Slot): Promise<void> {
    this.#slots.delete(slot);
    await this.#deps.processes.terminate(slot.run.child);
  }
}

/**
 * Identity of a launch, for handing a pre-spawned process to a run: undefined for a launch that
 * does not wait for `initialize` (its options are already fixed) or that names a conversation
 * (other than through `idFlag`, whose value is a placeholder by now). A hash, so the environment's
 * secrets are not kept in the key.
 */
export function launchKey(options: SpawnOptions, idFlag: IdFlag = SESSION_ID): string | undefined {
  const { args } = options;
  if (!args.includes(AWAIT_INITIALIZE)) return undefined;
  const fixed = CONVERSATION_FLAGS.filter((flag) => flag !== idFlag);
  if (args.some((arg) => fixed.some((flag) => arg === flag || arg.startsWith(`${flag}=`)))) {
    return undefined;
  }
  const canonical = canonicalJson({
    command: options.command,
    args,
    cwd: options.cwd ?? null,
    env: Object.fromEntries(Object.entries(options.env).filter(([, value]) => value !== undefined)),
  });
  return canonical === undefined ? undefined : createHash('sha256').update(canonical).digest('hex');
}

/** The arguments with the session id (the value of `flag`) as a placeholder, and that id. */
export function withoutSessionId(
  args: readonly string[],
  flag: IdFlag = SESSION_ID,
): { args: string[]; sessionId: string | undefined } {
  // The SDK writes `--session-id=<id>` (and `--resume=<id>`); the two-argument form is accepted too.
  const joined = args.findIndex((arg) => arg.startsWith(`${flag}=`));
  if (joined >= 0) {
    const sessionId = (args[joined] as string).slice(flag.length + 1);
    const placeholder = `${flag}=${SESSION_PLACEHOLDER}`;
    return { args: args.map((arg, i) => (i === joined ? placeholder : arg)), sessionId };
  }
  const at = args.indexOf(flag);
  const value = at >= 0 ? args[at + 1] : undefined;
  if (value === undefined) return { args: [...args], sessionId: undefined };
  return { args: args.map((arg, i) => (i === at + 1 ? SESSION_PLACEHOLDER : arg)), sessionId: value };
}

/** The arguments without those the initialize request carries too (only under --await-initialize). */
export function withoutInitializeArgs(args: readonly string[]): string[] {
  if (!args.includes(AWAIT_INITIALIZE)) return [...args];
  const kept: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (CARRIED_BY_INITIALIZE.includes(arg)) {
      i += 1;
      continue;
    }
    if (CARRIED_BY_INITIALIZE.some((flag) => arg.startsWith(`${flag}=`))) continue;
    kept.push(arg);
  }
  return kept;
}

function isAlive(run: SpawnedRun): boolean {
  return run.child.exitCode === null && run.child.signalCode === null;
}
