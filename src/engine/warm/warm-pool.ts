import { randomUUID } from 'node:crypto';
import type { Options, WarmQuery } from '@anthropic-ai/claude-agent-sdk';
import type { Logger } from 'pino';
import {
  inProcessServersOf,
  spareKey,
  spareShapeKey,
  withoutInProcessServers,
} from '../options/options-key.js';
import { planRetarget, type SpareRetarget } from '../options/spare-retarget.js';
import type { IdleProcesses } from '../processes/process-budget.js';
import type { ProcessRegistry, SpawnedRun } from '../processes/process-registry.js';
import { routedHooks } from './routed-hooks.js';
import type { SpareDemand } from './spare-demand.js';

export interface WarmPoolDeps {
  /** How many spares the traffic needs; a pool whose demand allows none is off. */
  demand: SpareDemand;
  processes: ProcessRegistry;
  /** Whether one more idle process fits under the process cap right now. */
  hasRoomForIdle: () => boolean;
  /** The Agent SDK's `startup()`: spawns the CLI and completes its initialize handshake. */
  startup: (params: { options: Options }) => Promise<WarmQuery>;
  /** False while a run starts Claude Code cold: spares wait rather than take its CPU. */
  mayStart?: () => boolean;
  /** A spare's process is handed to a run (it may have been stopped while it started). */
  onHandOver?: (pid: number) => void;
  /** Consecutive cold starts with the same other options before the pool switches to them. */
  switchAfterMisses?: number;
  /** First delay before starting again after a spare failed; doubles up to a minute. */
  retryDelayMs?: number;
  logger: Pick<Logger, 'debug' | 'warn'>;
  now?: () => number;
}

/** A started, idle Claude Code process that is waiting for its first prompt. */
export interface Spare {
  readonly warm: WarmQuery;
  readonly spawned: SpawnedRun;
  /** Set when the run's options differ in what a started spare can be given: it takes them first. */
  readonly retarget?: SpareRetarget;
}

/** Running totals, for tests, the benchmark and logs. */
export interface WarmPoolCounters {
  /** Spares handed to runs (ready, or after the run waited for the rest of their start). */
  used: number;
  /** Spares a run took while they were still starting, and waited for. */
  awaited: number;
  /** Runs with spare-shaped options that found no matching spare. */
  missed: number;
  /** Spares started, and spares that failed to start or died while idle. */
  started: number;
  failed: number;
}

interface Template {
  key: string;
  /** The options every spare starts with, without the per-run abort controller and spawner. */
  options: Options;
}

interface Slot {
  key: string;
  /** The session id it records its conversation under, when its options keep sessions. */
  sessionId: string | undefined;
  /** Handed out by `promiseSessionId`: only the run with that session id may use it. */
  promised: boolean;
  since: number;
  startedAt: number;
  state: 'starting' | 'ready' | 'closed';
  warm?: WarmQuery;
  spawned?: SpawnedRun;
  settled: Promise<void>;
  /** The hooks of the run that claimed it: the spare's own hooks forward to these (`routedHooks`). */
  hookRoute?: Options['hooks'];
}

const MAX_RETRY_DELAY_MS = 60_000;

/**
 * Keeps Claude Code processes started ahead of demand (as many as `SpareDemand` finds the arrivals
 * need) with the SDK's `startup()`, so a run
 * skips the CPU-bound start-up. A spare is used only by a run whose options are the ones it was
 * started with (its own session id aside) or differ only in what it is given when claimed
 * (`planRetarget`: system prompt, effort, limits, the run's client tools as in-process MCP servers;
 * its hooks forward to the run's), so its requests to the API are the cold path's.
 * Which options: the default plain chat at first; when runs keep arriving with other options (a
 * model, a client's own system prompt, max_tokens, ...) the pool follows them after
 * `switchAfterMisses` in a row.
 */
export class WarmPool implements IdleProcesses {
  readonly #deps: WarmPoolDeps;
  readonly #slots = new Set<Slot>();
  readonly #switchAfterMisses: number;
  readonly #now: () => number;
  #template: Template | undefined;
  #miss: { key: string; count: number } | undefined;
  #failures = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  /** Looks again once arrivals have aged out of the window, so a quiet pool shrinks. */
  #trimTimer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly counters: WarmPoolCounters = { used: 0, awaited: 0, missed: 0, started: 0, failed: 0 };

  constructor(deps: WarmPoolDeps) {
    this.#deps = deps;
    this.#switchAfterMisses = deps.switchAfterMisses ?? 2;
    this.#now = deps.now ?? Date.now;
  }

  get idleCount(): number {
    return this.#slots.size;
  }

  get readyCount(): number {
    return [...this.#slots].filter((slot) => slot.state === 'ready').length;
  }

  get #enabled(): boolean {
    return this.#deps.demand.enabled;
  }

  /** Starts keeping spares for these options (the gateway's default plain chat). */
  prime(options: Options): void {
    const key = spareKey(options);
    if (key === undefined || !this.#enabled) return;
    this.#template ??= templateOf(key, options);
    this.fill();
  }

  /**
   * Hands over a spare started with the same options, or undefined (the run starts cold). A miss
   * counts as demand for the run's options. A ready spare comes first; failing that, the one that
   * has been starting longest: the run waits for the rest of its start, which is never longer than
   * a cold start of its own (and does not halve the CPU with it, as a cold start beside it would).
   * Undefined as well when that start fails.
   */
  async take(options: Options): Promise<Spare | undefined> {
    if (this.#closed || !this.#enabled) return undefined;
    const key = spareKey(options);
    if (key === undefined) return undefined;
    const sessionId = options.sessionId;
    // Even with the same key a run may bring what a spare takes when claimed (its client tools).
    const exact = key === this.#template?.key;
    const retarget = this.#retargetFor(options);
    // Without a retarget a spare would not get the run's in-process servers: such a run starts cold.
    if (!retarget && (!exact || inProcessServersOf(options))) {
      // The run records its session under this id itself now, so a spare promised it is useless.
      if (sessionId !== undefined) this.forgetSession(sessionId);
      this.#noteMiss(key, options);
      return undefined;
    }
    this.#miss = undefined;
    this.#deps.demand.noteArrival();
    const fits = (candidate: Slot) =>
      candidate.state !== 'closed' &&
      (candidate.state === 'starting' || isAlive(candidate)) &&
      (sessionId === undefined ? !candidate.promised : candidate.sessionId === sessionId);
    const slot = byReadinessThenAge([...this.#slots].filter(fits))[0];
    if (!slot) {
      this.counters.missed += 1;
      return undefined;
    }
    this.#slots.delete(slot);
    slot.hookRoute = options.hooks;
    this.#deps.demand.noteTaken();
    const pid = slot.spawned?.child.pid;
    if (pid !== undefined) this.#deps.onHandOver?.(pid);
    // No refill here: starting a process now would compete for the CPU with the answer being
    // streamed. The replacement starts when the run's slot is released (`fill` on a freed slot).
    if (slot.state === 'starting') {
      this.counters.awaited += 1;
      await slot.settled;
    }
    if (slot.state !== 'ready' || !slot.warm || !slot.spawned || !isAlive(slot)) return undefined;
    this.counters.used += 1;
    return { warm: slot.warm, spawned: slot.spawned, ...(retarget ? { retarget } : {}) };
  }

  /** How a spare of this pool can serve a run started otherwise (`planRetarget`), if it can. */
  #retargetFor(options: Options): SpareRetarget | undefined {
    return this.#template ? planRetarget(this.#template.options, options) : undefined;
  }

  /**
   * The session id for a new conversation, chosen so a spare can serve its first turn: a spare that
   * records sessions was started with its own id (Claude Code takes it at start-up), so the session
   * store names the conversation after a spare's id (a ready one, else the one starting longest, as
   * `take` picks). Undefined when no spare is free.
   */
  promiseSessionId(): string | undefined {
    const slot = byReadinessThenAge(
      [...this.#slots].filter(
        (candidate) =>
          candidate.state !== 'closed' && !candidate.promised && candidate.sessionId !== undefined,
      ),
    )[0];
    if (!slot) return undefined;
    slot.promised = true;
    return slot.sessionId;
  }

  /** As `promiseSessionId`, only when a run with these options would take a spare of this pool. */
  promiseSessionIdFor(options: Options): string | undefined {
    const key = spareKey(options);
    const fits =
      key !== undefined && (key === this.#template?.key || this.#retargetFor(options) !== undefined);
    return fits ? this.promiseSessionId() : undefined;
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

  /**
   * Starts spares until there are as many as the traffic needs, as far as the process cap allows,
   * and ends ready ones beyond that (longest-idle first) once the traffic has slowed down.
   */
  fill(): void {
    const template = this.#template;
    if (this.#closed || !template) return;
    const target = this.#deps.demand.target();
    if (!this.#retryTimer && (this.#deps.mayStart?.() ?? true)) {
      // One start at a time: the first spare is ready sooner (the next arrival needs one spare, not
      // two half-started), and on a loaded machine speculative starts never take both cores from
      // the runs. The next one starts when this one is ready (`#onStarted`).
      while (this.#slots.size < target && !this.#starting() && this.#deps.hasRoomForIdle()) {
        this.#start(template);
      }
    }
    const surplus = [...this.#slots]
      .filter((slot) => slot.state === 'ready' && !slot.promised)
      .sort((a, b) => a.since - b.since)
      .slice(0, Math.max(0, this.#slots.size - target));
    for (const slot of surplus) void this.#closeSlot(slot);
    this.#scheduleTrim();
  }

  /** Spares kept or starting now (for tests and health output). */
  get size(): number {
    return this.#slots.size;
  }

  /** Process ids of the spares, started or starting (for health output and tests). */
  livePids(): number[] {
    return [...this.#slots].flatMap((slot) => slot.spawned?.child.pid ?? []);
  }

  /** Spares still starting (not yet initialized): the CPU-bound ones. */
  startingPids(): number[] {
    return [...this.#slots].flatMap((slot) =>
      slot.state === 'starting' ? (slot.spawned?.child.pid ?? []) : [],
    );
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

  #starting(): boolean {
    return [...this.#slots].some((slot) => slot.state === 'starting');
  }

  #noteMiss(key: string, options: Options): void {
    this.counters.missed += 1;
    // Misses count alike when they differ only in what a claimed spare takes (each its own system
    // prompt, client tools, ...): a spare started with the last one's options serves all of them.
    const shape = spareShapeKey(options) ?? key;
    this.#miss =
      this.#miss?.key === shape ? { key: shape, count: this.#miss.count + 1 } : { key: shape, count: 1 };
    if (this.#miss.count < this.#switchAfterMisses) return;
    this.#deps.logger.debug('warm pool: following the options of recent runs');
    this.#template = templateOf(key, options);
    this.#miss = undefined;
    for (const slot of this.#slots) if (slot.key !== key) void this.#closeSlot(slot);
    setImmediate(() => this.fill());
  }

  /** While above the minimum, looks again once arrivals may have aged out, so a quiet pool shrinks. */
  #scheduleTrim(): void {
    if (this.#trimTimer || this.#slots.size <= this.#deps.demand.min) return;
    this.#trimTimer = setTimeout(() => {
      this.#trimTimer = undefined;
      this.fill();
    }, this.#deps.demand.windowMs / 2);
    this.#trimTimer.unref();
  }

  #start(template: Template): void {
    const sessionId = template.options.sessionId === undefined ? undefined : randomUUID();
    const slot: Slot = {
      key: template.key,
      sessionId,
      promised: false,
      since: this.#now(),
      startedAt: this.#now(),
      state: 'starting',
      settled: Promise.resolve(),
    };
    const { hooks } = template.options;
    const options: Options = {
      ...template.options,
      ...(hooks ? { hooks: routedHooks(hooks, () => slot.hookRoute) } : {}),
      ...(sessionId ? { sessionId } : {}),
      abortController: new AbortController(),
      spawnClaudeCodeProcess: (spawnOptions) => {
        slot.spawned = this.#deps.processes.spawn(spawnOptions);
        return slot.spawned.process;
      },
    };
    this.#slots.add(slot);
    this.counters.started += 1;
    slot.settled = this.#deps.startup({ options }).then(
      (warm) => this.#onStarted(slot, warm),
      (error: unknown) => this.#onFailed(slot, error),
    );
  }

  #onStarted(slot: Slot, warm: WarmQuery): Promise<void> | undefined {
    slot.warm = warm;
    if (slot.state === 'closed' || !slot.spawned) return this.#closeSlot(slot);
    slot.state = 'ready';
    slot.since = this.#now();
    this.#deps.demand.noteStarted(slot.since - slot.startedAt);
    this.#failures = 0;
    setImmediate(() => this.fill());
    slot.spawned.child.once('exit', () => {
      // Still parked when it exited: it died, so replace it (with the same backoff as a failure).
      if (this.#slots.delete(slot)) this.#onFailed(slot, new Error('spare exited while idle'));
    });
    return undefined;
  }

  #onFailed(slot: Slot, error: unknown): void {
    this.#slots.delete(slot);
    if (slot.state === 'closed' || this.#closed) return;
    slot.state = 'closed';
    this.#failures += 1;
    this.counters.failed += 1;
    const delayMs = Math.min(
      (this.#deps.retryDelayMs ?? 1_000) * 2 ** (this.#failures - 1),
      MAX_RETRY_DELAY_MS,
    );
    this.#deps.logger.warn(
      { err: error instanceof Error ? error.message : String(error), retryInMs: delayMs },
      'warm pool: a spare Claude Code process failed',
    );
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.fill();
    }, delayMs);
    this.#retryTimer.unref();
  }

  async #closeSlot(slot: Slot): Promise<void> {
    this.#slots.delete(slot);
    const wasStarting = slot.state === 'starting';
    slot.state = 'closed';
    slot.warm?.close();
    if (slot.spawned) await this.#deps.processes.terminate(slot.spawned.child);
    // A spare still starting is closed by #onStarted once startup() settles.
    if (wasStarting) await slot.settled;
  }
}

function templateOf(key: string, options: Options): Template {
  return { key, options: withoutPerRunOptions(options) };
}

/**
 * What a spare starts with: no per-run plumbing and none of the run's in-process MCP servers (a
 * claimed spare is given its run's, `spare-retarget.ts`). Hooks stay only as a shape: each spare's
 * callbacks forward to its claiming run's (`#start`).
 */
function withoutPerRunOptions(options: Options): Options {
  const { abortController: _abort, spawnClaudeCodeProcess: _spawn, mcpServers, ...rest } = options;
  const startedWith = withoutInProcessServers(mcpServers);
  return { ...rest, ...(startedWith ? { mcpServers: startedWith } : {}) };
}

/** Ready spares first, then those starting, each longest-started first. */
function byReadinessThenAge(slots: Slot[]): Slot[] {
  const rank = (slot: Slot) => (slot.state === 'ready' ? 0 : 1);
  return slots.sort((a, b) => rank(a) - rank(b) || a.startedAt - b.startedAt);
}

function isAlive(slot: Slot): boolean {
  const child = slot.spawned?.child;
  return child !== undefined && child.exitCode === null && child.signalCode === null;
}
