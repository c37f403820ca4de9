import type { Logger } from 'pino';
import type { IdleProcesses } from '../processes/process-budget.js';
import type { SpareDemand } from './spare-demand.js';
import type { StartingProcesses } from './start-yield.js';

/** What every kind of spare keeps about one of its processes. */
export interface SpareSlot {
  /** Identity of the template it was started from. */
  readonly key: string;
  /** The session id it records its conversation under, when its template keeps sessions. */
  readonly sessionId: string | undefined;
  /** Handed out by `promiseSessionId`: only the run with that session id may use it. */
  promised: boolean;
  readonly startedAt: number;
  /** Since when it has been idle (started, or ready for a kind that knows). */
  since: number;
  /** Ended here (surplus, evicted, failed, closed): whatever its start does later is undone. */
  ended: boolean;
}

/** Running totals, for tests, the benchmark and logs. */
export interface SpareCounters {
  /** Spares handed to runs. */
  used: number;
  /** Runs that found no spare they could use. */
  missed: number;
  /** Spares started, and spares that failed to start or died while idle. */
  started: number;
  failed: number;
}

/** What differs between kinds of spares: how one starts and ends, and what "ready" means. */
export interface SpareKind<Template, Slot extends SpareSlot> {
  /** For logs. */
  name: string;
  /** Starts a spare of `template` (whose key is `key`); returns its slot. */
  start(template: Template, key: string): Slot;
  /** Ends the spare's process; resolves once it has exited. */
  end(slot: Slot): Promise<void>;
  pid(slot: Slot): number | undefined;
  /** Able to serve a run at once. */
  ready(slot: Slot): boolean;
  /** Still doing its CPU-bound start-up (what a run starting beside it would share the CPU with). */
  starting(slot: Slot): boolean;
  /** Still able to serve a run: starting, or started and alive. */
  usable(slot: Slot): boolean;
  /**
   * One start at a time: the first spare is ready sooner (the next arrival needs one spare, not two
   * half-started), and on a loaded machine speculative starts never take both cores from the runs.
   */
  oneStartAtATime: boolean;
}

export interface SpareSlotsDeps<Template, Slot extends SpareSlot, Counters extends SpareCounters> {
  kind: SpareKind<Template, Slot>;
  /** How many spares the traffic needs; spares whose demand allows none are off. */
  demand: SpareDemand;
  /** Whether one more idle process fits under the process cap right now. */
  hasRoomForIdle: () => boolean;
  /** False while a run starts Claude Code: spares wait rather than take its CPU. */
  mayStart?: () => boolean;
  /** A spare's process is handed to a run (it may have been stopped while it started). */
  onHandOver?: (pid: number) => void;
  /** Consecutive misses alike before the spares switch to the template of those runs. */
  switchAfterMisses?: number;
  /** Whether spares without a template yet take the first miss's (rather than wait for a streak). */
  followFirstMiss: boolean;
  /** First delay before starting again after a spare failed; doubles up to a minute. */
  retryDelayMs?: number;
  counters: Counters;
  logger: Pick<Logger, 'debug' | 'warn'>;
  now?: () => number;
}

const MAX_RETRY_DELAY_MS = 60_000;

/**
 * The slots of one kind of spare: as many as `SpareDemand` finds the arrivals need, within the
 * process cap, started from one template (which follows the runs that keep missing), with session
 * ids promised ahead, replaced with a backoff when they fail, trimmed when the traffic slows down,
 * and given up to the process budget longest-idle first.
 */
export class SpareSlots<Template, Slot extends SpareSlot, Counters extends SpareCounters = SpareCounters>
  implements IdleProcesses, StartingProcesses
{
  readonly #deps: SpareSlotsDeps<Template, Slot, Counters>;
  readonly #kind: SpareKind<Template, Slot>;
  readonly #slots = new Set<Slot>();
  readonly #switchAfterMisses: number;
  readonly #now: () => number;
  #template: { key: string; value: Template } | undefined;
  #miss: { alike: string; count: number } | undefined;
  #failures = 0;
  #retryTimer: NodeJS.Timeout | undefined;
  /** Looks again once arrivals have aged out of the window, so quiet spares shrink. */
  #trimTimer: NodeJS.Timeout | undefined;
  #closed = false;
  readonly counters: Counters;

  constructor(deps: SpareSlotsDeps<Template, Slot, Counters>) {
    this.#deps = deps;
    this.#kind = deps.kind;
    this.#switchAfterMisses = deps.switchAfterMisses ?? 2;
    this.#now = deps.now ?? Date.now;
    this.counters = deps.counters;
  }

  /** Whether spares are kept and wanted: enabled by the demand and not closed. */
  get active(): boolean {
    return !this.#closed && this.#deps.demand.enabled;
  }

  get template(): { key: string; value: Template } | undefined {
    return this.#template;
  }

  get idleCount(): number {
    return this.#slots.size;
  }

  get readyCount(): number {
    return [...this.#slots].filter((slot) => this.#kind.ready(slot)).length;
  }

  now(): number {
    return this.#now();
  }

  /** Starts keeping spares of `value`, unless spares already follow a template. */
  prime(key: string, value: Template): void {
    if (!this.active) return;
    this.#template ??= { key, value };
    this.fill();
  }

  /** A run that spares like these could have served arrived (whether it finds one or not). */
  arrived(): void {
    this.#deps.demand.noteArrival();
  }

  /** The best spare that `fits`: a ready one first, then the one starting longest. */
  pick(fits: (slot: Slot) => boolean): Slot | undefined {
    const rank = (slot: Slot) => (this.#kind.ready(slot) ? 0 : 1);
    return [...this.#slots]
      .filter((slot) => this.#kind.usable(slot) && fits(slot))
      .sort((a, b) => rank(a) - rank(b) || a.startedAt - b.startedAt)[0];
  }

  /**
   * Hands a spare over to a run. No refill here: starting a process now would compete for the CPU
   * with the answer being streamed; the replacement starts when the run's slot is released.
   */
  claim(slot: Slot): void {
    this.#slots.delete(slot);
    this.#deps.demand.noteTaken();
    const pid = this.#kind.pid(slot);
    if (pid !== undefined) this.#deps.onHandOver?.(pid);
  }

  /** A run matched the template: any streak of misses is broken. */
  hit(): void {
    this.#miss = undefined;
  }

  /**
   * A run the spares could not serve. Misses count alike by `alike`; after a streak of them the
   * spares follow `next` (whose key is `key`), and those of the old template end. True when it switched.
   */
  miss(alike: string, key: string, next: Template): boolean {
    this.#miss = this.#miss?.alike === alike ? { alike, count: this.#miss.count + 1 } : { alike, count: 1 };
    const first = this.#deps.followFirstMiss && this.#template === undefined;
    if (!first && this.#miss.count < this.#switchAfterMisses) return false;
    this.#deps.logger.debug(`${this.#kind.name}: following the options of recent runs`);
    this.#template = { key, value: next };
    this.#miss = undefined;
    for (const slot of this.#slots) if (slot.key !== key) void this.end(slot);
    return true;
  }

  /**
   * The spares follow `value` (whose key is `key`) from now on, at once: those of another template
   * end and replacements start.
   */
  follow(key: string, value: Template): void {
    if (!this.active || this.#template?.key === key) return;
    this.#template = { key, value };
    this.#miss = undefined;
    for (const slot of this.#slots) if (slot.key !== key) void this.end(slot);
    this.fill();
  }

  /**
   * Ends the spares that `matches` (their process can serve nobody now); with `dropTemplate` the
   * spares start no more of their template until they follow another one.
   */
  release(matches: (slot: Slot) => boolean, dropTemplate: boolean): void {
    if (dropTemplate) this.#template = undefined;
    for (const slot of this.#slots) if (matches(slot)) void this.end(slot);
  }

  /**
   * The session id for a new conversation, chosen so a spare can serve its first turn: a spare that
   * records sessions was started with its own id (Claude Code takes it at start-up), so the session
   * store names the conversation after a spare's id. Undefined when no spare is free.
   */
  promiseSessionId(): string | undefined {
    const slot = this.pick((candidate) => !candidate.promised && candidate.sessionId !== undefined);
    if (!slot) return undefined;
    slot.promised = true;
    return slot.sessionId;
  }

  /** Whether a usable spare holds this session id (promised to the run that has it). */
  holdsSession(sessionId: string): boolean {
    return [...this.#slots].some((slot) => slot.sessionId === sessionId && this.#kind.usable(slot));
  }

  /** The session is gone (or went elsewhere): a spare still holding its id can serve nobody. */
  forgetSession(sessionId: string): void {
    for (const slot of this.#slots) {
      if (slot.sessionId === sessionId) void this.end(slot).then(() => this.fill());
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
      while (
        this.#slots.size < target &&
        !(this.#kind.oneStartAtATime && this.#anyStarting()) &&
        this.#deps.hasRoomForIdle()
      ) {
        this.#start(template);
      }
    }
    const surplus = [...this.#slots]
      .filter((slot) => this.#kind.ready(slot) && !slot.promised)
      .sort((a, b) => a.since - b.since)
      .slice(0, Math.max(0, this.#slots.size - target));
    for (const slot of surplus) void this.end(slot);
    this.#scheduleTrim();
  }

  /** A spare finished its start-up: it is idle from now, and the next one may start. */
  becameReady(slot: Slot): void {
    slot.since = this.#now();
    this.#deps.demand.noteStarted(slot.since - slot.startedAt);
    this.#failures = 0;
    setImmediate(() => this.fill());
  }

  /** Whether the slot is still kept here (not yet claimed, ended or failed). */
  holds(slot: Slot): boolean {
    return this.#slots.has(slot);
  }

  /** A spare failed to start or died while idle: replaced after a backoff, unless it was ended here. */
  failed(slot: Slot, error: unknown): void {
    this.#slots.delete(slot);
    if (slot.ended || this.#closed) return;
    slot.ended = true;
    this.#failures += 1;
    this.counters.failed += 1;
    const delayMs = Math.min(
      (this.#deps.retryDelayMs ?? 1_000) * 2 ** (this.#failures - 1),
      MAX_RETRY_DELAY_MS,
    );
    this.#deps.logger.warn(
      { err: error instanceof Error ? error.message : String(error), retryInMs: delayMs },
      `${this.#kind.name}: a spare Claude Code process failed`,
    );
    clearTimeout(this.#retryTimer);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.fill();
    }, delayMs);
    this.#retryTimer.unref();
  }

  /** Ends one spare; resolves once its process has exited. */
  async end(slot: Slot): Promise<void> {
    this.#slots.delete(slot);
    slot.ended = true;
    await this.#kind.end(slot);
  }

  /** Process ids of the spares, started or starting (for health output and tests). */
  livePids(): number[] {
    return [...this.#slots].flatMap((slot) => this.#kind.pid(slot) ?? []);
  }

  /** Spares still doing their CPU-bound start-up. */
  startingPids(): number[] {
    return [...this.#slots].flatMap((slot) =>
      this.#kind.starting(slot) ? (this.#kind.pid(slot) ?? []) : [],
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
    if (oldest) await this.end(oldest);
  }

  /** Stops refilling and ends every spare; resolves once their processes have exited. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#retryTimer);
    clearTimeout(this.#trimTimer);
    await Promise.all([...this.#slots].map((slot) => this.end(slot)));
  }

  #start(template: { key: string; value: Template }): void {
    const slot = this.#kind.start(template.value, template.key);
    this.#slots.add(slot);
    this.counters.started += 1;
  }

  #anyStarting(): boolean {
    return [...this.#slots].some((slot) => this.#kind.starting(slot));
  }

  /** While above the minimum, looks again once arrivals may have aged out, so quiet spares shrink. */
  #scheduleTrim(): void {
    if (this.#trimTimer || this.#slots.size <= this.#deps.demand.min) return;
    this.#trimTimer = setTimeout(() => {
      this.#trimTimer = undefined;
      this.fill();
    }, this.#deps.demand.windowMs / 2);
    this.#trimTimer.unref();
  }
}
