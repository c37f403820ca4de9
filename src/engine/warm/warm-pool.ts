import type { Options, WarmQuery } from '@anthropic-ai/claude-agent-sdk';
import type { Logger } from 'pino';
import { type ClaudeLaunch, newSessionIdOf } from '../options/claude-launch.js';
import { type SpareRetarget, sdkOptions } from '../options/claude-options.js';
import { planRetarget, spareKey, spareLaunch, spareShapeKey } from '../options/launch-keys.js';
import type { IdleProcesses } from '../processes/process-budget.js';
import type { ProcessRegistry, SpawnedRun } from '../processes/process-registry.js';
import type { SpareDemand } from './spare-demand.js';
import { type SpareCounters, type SpareSlot, SpareSlots } from './spare-slots.js';
import { SpareSlotsHolder } from './spare-slots-holder.js';

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
  /** What it is given before its first turn, so it serves the run's launch (`planRetarget`). */
  readonly retarget: SpareRetarget;
}

export interface WarmPoolCounters extends SpareCounters {
  /** Spares a run took while they were still starting, and waited for. */
  awaited: number;
}

interface WarmSlot extends SpareSlot {
  /** The pooled account whose credentials it started with (undefined: the gateway's own). */
  account: string | undefined;
  state: 'starting' | 'ready';
  warm?: WarmQuery;
  spawned?: SpawnedRun;
  settled: Promise<void>;
  /** The launch of the run that claimed it: the spare's own hooks forward to its hooks. */
  claim: { launch?: ClaudeLaunch };
}

/**
 * Keeps Claude Code processes started ahead of demand with the SDK's `startup()`, fully
 * initialized, so a run skips the CPU-bound start-up. A spare serves a run whose launch is the one
 * it was started with (its own session id aside) or differs only in what a started process can
 * still be given (`planRetarget`: system prompt, effort, limits, the run's client tools), so its
 * requests to the API are the cold path's. Which launch: the default plain chat at first; when runs
 * keep arriving with another one (a model, max_tokens, ...) the pool follows them after
 * `switchAfterMisses` in a row.
 */
export class WarmPool
  extends SpareSlotsHolder<ClaudeLaunch, WarmSlot, WarmPoolCounters>
  implements IdleProcesses
{
  readonly #deps: WarmPoolDeps;
  protected readonly slots: SpareSlots<ClaudeLaunch, WarmSlot, WarmPoolCounters>;
  /** The template set aside while its account could serve nobody, for `follow` to move. */
  #setAside: ClaudeLaunch | undefined;

  constructor(deps: WarmPoolDeps) {
    super();
    this.#deps = deps;
    this.slots = new SpareSlots({
      ...deps,
      followFirstMiss: false,
      counters: { used: 0, awaited: 0, missed: 0, started: 0, failed: 0 },
      kind: {
        name: 'warm pool',
        start: (template, key) => this.#start(template, key),
        end: (slot) => this.#end(slot),
        pid: (slot) => slot.spawned?.child.pid,
        ready: (slot) => slot.state === 'ready',
        starting: (slot) => slot.state === 'starting',
        usable: (slot) => slot.state === 'starting' || isAlive(slot.spawned),
        oneStartAtATime: true,
      },
    });
  }

  get readyCount(): number {
    return this.slots.readyCount;
  }

  /** Spares kept or starting now (for tests and health output). */
  get size(): number {
    return this.slots.idleCount;
  }

  /** Starts keeping spares of this launch (the gateway's default plain chat). */
  prime(launch: ClaudeLaunch): void {
    const key = spareKey(launch);
    if (key !== undefined) this.slots.prime(key, launch);
  }

  /**
   * Keeps spares of the current template moved by `move` from now on (another account's
   * credentials): spares of the old one end, replacements start at once.
   */
  follow(move: (template: ClaudeLaunch) => ClaudeLaunch): void {
    const template = this.slots.template?.value ?? this.#setAside;
    if (!template) return;
    const next = move(template);
    const key = spareKey(next);
    if (key === undefined) return;
    this.#setAside = undefined;
    this.slots.follow(key, next);
  }

  /** The account the spares are started for (undefined: the gateway's own credentials). */
  get account(): string | undefined {
    return this.slots.template?.value.account;
  }

  /**
   * Ends the spares of `account`, which cannot serve anyone now (spent, refused); none of its start
   * until the pool follows another account, or the same one again.
   */
  releaseAccount(account: string): void {
    const template = this.slots.template?.value;
    const setAside = template?.account === account;
    if (setAside) this.#setAside = template;
    this.slots.release((slot) => slot.account === account, setAside);
  }

  /**
   * Hands over a spare that can serve this launch, or undefined (the run starts cold). A miss
   * counts as demand for the run's launch. A ready spare comes first; failing that, the one that
   * has been starting longest: the run waits for the rest of its start, which is never longer than
   * a cold start of its own (and does not halve the CPU with it, as a cold start beside it would).
   * Undefined as well when that start fails.
   */
  async take(launch: ClaudeLaunch): Promise<Spare | undefined> {
    if (!this.slots.active) return undefined;
    const key = spareKey(launch);
    if (key === undefined) return undefined;
    const sessionId = newSessionIdOf(launch);
    const retarget = this.#retargetFor(launch);
    if (!retarget) {
      // The run records its session under this id itself now, so a spare promised it is useless.
      if (sessionId !== undefined) this.forgetSession(sessionId);
      this.#noteMiss(key, launch);
      return undefined;
    }
    this.slots.hit();
    this.slots.arrived();
    const slot = this.slots.pick((candidate) =>
      sessionId === undefined ? !candidate.promised : candidate.sessionId === sessionId,
    );
    if (!slot) {
      this.counters.missed += 1;
      return undefined;
    }
    slot.claim.launch = launch;
    this.slots.claim(slot);
    if (slot.state === 'starting') {
      this.counters.awaited += 1;
      await slot.settled;
    }
    if (slot.ended || slot.state !== 'ready' || !slot.warm || !slot.spawned || !isAlive(slot.spawned)) {
      return undefined;
    }
    this.counters.used += 1;
    return { warm: slot.warm, spawned: slot.spawned, retarget };
  }

  /** The session id for a new conversation whose run has this launch, when a spare here would serve it. */
  promiseSessionIdFor(launch: ClaudeLaunch): string | undefined {
    return this.#retargetFor(launch) ? this.slots.promiseSessionId() : undefined;
  }

  /** How a spare of this pool can serve a run of `launch` (`planRetarget`), if it can. */
  #retargetFor(launch: ClaudeLaunch): SpareRetarget | undefined {
    const template = this.slots.template;
    return template ? planRetarget(template.value, launch) : undefined;
  }

  #noteMiss(key: string, launch: ClaudeLaunch): void {
    this.counters.missed += 1;
    // Misses count alike when they differ only in what a claimed spare takes (each its own system
    // prompt, client tools, ...): a spare started with the last one's launch serves all of them.
    if (this.slots.miss(spareShapeKey(launch) ?? key, key, launch)) setImmediate(() => this.fill());
  }

  #start(template: ClaudeLaunch, key: string): WarmSlot {
    const claim: WarmSlot['claim'] = {};
    const launch = spareLaunch(template, () => claim.launch);
    const now = this.slots.now();
    const slot: WarmSlot = {
      key,
      account: launch.account,
      sessionId: newSessionIdOf(launch),
      promised: false,
      since: now,
      startedAt: now,
      ended: false,
      state: 'starting',
      settled: Promise.resolve(),
      claim,
    };
    const options = sdkOptions(launch, {
      abortController: new AbortController(),
      spawnClaudeCodeProcess: (spawnOptions) => {
        slot.spawned = this.#deps.processes.spawn(spawnOptions);
        return slot.spawned.process;
      },
    });
    slot.settled = this.#deps.startup({ options }).then(
      (warm) => this.#onStarted(slot, warm),
      (error: unknown) => this.slots.failed(slot, error),
    );
    return slot;
  }

  #onStarted(slot: WarmSlot, warm: WarmQuery): Promise<void> | undefined {
    slot.warm = warm;
    const { spawned } = slot;
    if (slot.ended || !spawned) return this.slots.end(slot);
    slot.state = 'ready';
    this.slots.becameReady(slot);
    spawned.child.once('exit', () => {
      // Still kept when it exited: it died, so replace it (with the same backoff as a failure).
      if (this.slots.holds(slot)) this.slots.failed(slot, new Error('spare exited while idle'));
    });
    return undefined;
  }

  async #end(slot: WarmSlot): Promise<void> {
    slot.warm?.close();
    if (slot.spawned) await this.#deps.processes.terminate(slot.spawned.child);
    // A spare ended while it starts is ended again by #onStarted once startup() settles (which
    // has then given it its WarmQuery).
    if (!slot.warm && slot.state === 'starting') await slot.settled;
  }
}

function isAlive(spawned: SpawnedRun | undefined): boolean {
  const child = spawned?.child;
  return child !== undefined && child.exitCode === null && child.signalCode === null;
}
