import { randomUUID } from 'node:crypto';
import type { SpawnOptions } from '@anthropic-ai/claude-agent-sdk';
import type { Logger } from 'pino';
import type { IdleProcesses } from '../processes/process-budget.js';
import type { ProcessRegistry, SpawnedRun } from '../processes/process-registry.js';
import {
  type IdFlag,
  launchKey,
  SESSION_ID,
  SESSION_PLACEHOLDER,
  withoutInitializeArgs,
  withoutSessionId,
} from './open-launch.js';
import type { SpareDemand } from './spare-demand.js';
import { type SpareCounters, type SpareSlot, SpareSlots } from './spare-slots.js';
import { SpareSlotsHolder } from './spare-slots-holder.js';

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

/** How Claude Code is launched, without the per-run abort signal. */
type Launch = Omit<SpawnOptions, 'signal'>;

/** A launch and the pooled account whose credentials its environment carries (undefined: the gateway's). */
interface OpenTemplate {
  launch: Launch;
  account: string | undefined;
}

interface OpenSlot extends SpareSlot {
  run: SpawnedRun;
  account: string | undefined;
}

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
export class OpenSpares
  extends SpareSlotsHolder<OpenTemplate, OpenSlot, SpareCounters>
  implements IdleProcesses
{
  readonly #deps: OpenSparesDeps;
  readonly #idFlag: IdFlag;
  protected readonly slots: SpareSlots<OpenTemplate, OpenSlot>;

  constructor(deps: OpenSparesDeps) {
    super();
    this.#deps = deps;
    this.#idFlag = deps.idFlag ?? SESSION_ID;
    this.slots = new SpareSlots({
      ...deps,
      followFirstMiss: true,
      counters: { used: 0, missed: 0, started: 0, failed: 0 },
      kind: {
        name: 'open spares',
        start: (template, key) => this.#start(template, key),
        end: (slot) => deps.processes.terminate(slot.run.child),
        pid: (slot) => slot.run.child.pid,
        // A launched spare serves a run at once: the SDK's initialize is what it waits for.
        ready: () => true,
        // Young enough to be doing its launch work (stopping one that already waits costs nothing).
        starting: (slot) => slot.startedAt >= this.slots.now() - LAUNCH_WORK_MS,
        usable: (slot) => isAlive(slot.run),
        oneStartAtATime: false,
      },
    });
  }

  /**
   * The SDK's spawn hook for a run: an idle spare launched exactly like this, or a new process. The
   * spare is then the run's, ended by the run's abort signal like a process spawned for it.
   * `account` names the credentials the launch carries (its environment is part of the match).
   */
  spawn(requested: SpawnOptions, account?: string): SpawnedRun {
    const options = { ...requested, args: withoutInitializeArgs(requested.args) };
    const { args, sessionId } = withoutSessionId(options.args, this.#idFlag);
    const { signal: _signal, ...general } = { ...options, args };
    const key = this.slots.active ? launchKey(general, this.#idFlag) : undefined;
    if (key === undefined) return this.#deps.processes.spawn(options);
    this.slots.arrived();
    const slot = this.slots.pick(
      (candidate) =>
        candidate.key === key &&
        (sessionId === undefined
          ? !candidate.promised && candidate.sessionId === undefined
          : candidate.sessionId === sessionId),
    );
    if (slot) {
      this.slots.claim(slot);
      this.counters.used += 1;
      const { child } = slot.run;
      options.signal.addEventListener('abort', () => void this.#deps.processes.terminate(child), {
        once: true,
      });
      return slot.run;
    }
    this.counters.missed += 1;
    // Not refilled now: the run that missed is starting its own process and should have the CPU.
    if (this.slots.template?.key === key) this.slots.hit();
    else this.slots.miss(key, key, { launch: general, account });
    // A spare promised this session id is of no use now: this run records the session itself.
    if (sessionId !== undefined) this.forgetSession(sessionId);
    return this.#deps.processes.spawn(options);
  }

  /**
   * The session id for a new conversation, chosen so a spare can serve its first turn: a spare for
   * runs that record sessions was launched with its own id (Claude Code takes it at launch).
   */
  promiseSessionId(): string | undefined {
    return this.slots.promiseSessionId();
  }

  /** Whether a live spare holds this session id (promised to the run that has it). */
  holdsSession(sessionId: string): boolean {
    return this.slots.holdsSession(sessionId);
  }

  /** Ends the spares of `account` (spent, refused), and starts none of it until runs follow another. */
  releaseAccount(account: string): void {
    this.slots.release((slot) => slot.account === account, this.slots.template?.value.account === account);
  }

  #start({ launch: template, account }: OpenTemplate, key: string): OpenSlot {
    const sessionId = template.args.some((arg) => arg.endsWith(SESSION_PLACEHOLDER))
      ? randomUUID()
      : undefined;
    const args = template.args.map((arg) =>
      arg.endsWith(SESSION_PLACEHOLDER) && sessionId ? arg.replace(SESSION_PLACEHOLDER, sessionId) : arg,
    );
    // Its own signal: nothing aborts a spare but `close()`; a run that takes it adds its own.
    const run = this.#deps.processes.spawn({ ...template, args, signal: new AbortController().signal });
    const now = this.slots.now();
    const slot: OpenSlot = {
      key,
      run,
      account,
      sessionId,
      promised: false,
      since: now,
      startedAt: now,
      ended: false,
    };
    const died = () => {
      if (this.slots.holds(slot)) this.slots.failed(slot, new Error('an idle spare exited'));
    };
    run.child.once('exit', died);
    run.child.once('error', died);
    return slot;
  }
}

function isAlive(run: SpawnedRun): boolean {
  return run.child.exitCode === null && run.child.signalCode === null;
}
