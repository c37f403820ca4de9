import type { SpawnOptions } from '@anthropic-ai/claude-agent-sdk';
import { type Conversation, createConversation } from '../conversation.js';
import { InputChannel } from '../input-channel.js';
import { type ClaudeLaunch, trackedSessionIdOf, versionAfterTurn } from '../options/claude-launch.js';
import { hotKey } from '../options/launch-keys.js';
import { retargetSpare } from '../options/retarget-spare.js';
import type { ProcessSource } from '../process-source.js';
import type { ProcessBudget } from '../processes/process-budget.js';
import type { ProcessRegistry, SpawnedRun } from '../processes/process-registry.js';
import { RunProcess } from '../run-process.js';
import type { HotSessions } from './hot-sessions.js';
import type { OpenSpares } from './open-spares.js';
import type { WarmPool } from './warm-pool.js';

export interface WarmSourceParts {
  processes: ProcessRegistry;
  budget: ProcessBudget;
  /** Live processes kept between the turns of a tracked session. */
  hot: Pick<HotSessions, 'enabled' | 'take' | 'park'>;
  /** Started spares; a run whose launch one can serve skips Claude Code's start-up. */
  pool: Pick<WarmPool, 'take'>;
  /**
   * Processes spawned ahead with `--await-initialize` for new conversations, when kept: every launch
   * then waits for `initialize`, so its options travel there rather than being fixed at spawn.
   */
  open: Pick<OpenSpares, 'spawn' | 'holdsSession'> | undefined;
  /** As `open`, spawned with `--resume` for an id a rebuilt history's transcript is then written under. */
  rebuild: Pick<OpenSpares, 'spawn' | 'holdsSession' | 'promiseSessionId'> | undefined;
  /**
   * Called as a run begins, whatever serves it: spares starting meanwhile wait, their CPU is the
   * run's. Returns the function that lets them go on, called once the run has its first answer or ended.
   */
  pauseSpareStarts: (() => () => void) | undefined;
  /** Called once a run's process has exited (or was kept), after its answer: room for spares. */
  afterProcessGone: () => void;
}

/**
 * Processes from wherever is fastest: the session's kept process, a started spare, or a new process
 * (which may be one spawned ahead of demand), all under one process budget.
 */
export function createWarmSource(parts: WarmSourceParts): ProcessSource {
  const { processes, budget, hot, pool } = parts;

  /**
   * The session's own live process, when its last turn left one with the same launch and no other
   * gateway has committed a turn to the session since (the version the run found is the one that
   * process left).
   */
  const takeHot = async (
    launch: ClaudeLaunch,
    key: string | undefined,
  ): Promise<Conversation | undefined> => {
    if (launch.conversation.kind !== 'continue') return undefined;
    const kept = hot.take(launch.conversation.sessionId);
    if (!kept) return undefined;
    if (kept.key === key && kept.version === launch.conversation.version) {
      kept.conversation.origin = 'hot';
      return kept.conversation;
    }
    // The launch changed between turns (another system prompt, max_tokens, ...), or the session
    // moved on elsewhere and this process lacks those turns: resume it from its transcript instead.
    await kept.conversation.close();
    return undefined;
  };

  /** A started spare for this launch, given what the run needs first (`retargetSpare`). */
  const takeSpare = async (launch: ClaudeLaunch): Promise<Conversation | undefined> => {
    const spare = await pool.take(launch);
    if (!spare) return undefined;
    const input = new InputChannel();
    const conversation = createConversation({
      query: spare.warm.query(input),
      input,
      origin: 'spare',
      process: () => spare.spawned,
      processes,
    });
    try {
      await retargetSpare(conversation.query, spare.retarget);
      return conversation;
    } catch {
      // Refused (or the process died): nothing was asked of the API yet, so the run starts cold.
      await conversation.close();
      return undefined;
    }
  };

  /** A run whose session id a process spawned ahead holds takes that process: no room to make. */
  const makeRoomForRun = (launch: ClaudeLaunch) => {
    const id = launch.conversation.sessionId;
    const promised = id !== undefined && (parts.rebuild?.holdsSession(id) || parts.open?.holdsSession(id));
    return budget.makeRoomForRun(promised === true);
  };

  const spawnerFor = (launch: ClaudeLaunch): ((options: SpawnOptions) => SpawnedRun) | undefined => {
    const spawner = (launch.conversation.kind === 'rebuild' ? parts.rebuild : undefined) ?? parts.open;
    return spawner && ((options) => spawner.spawn(options, launch.account));
  };

  return {
    awaitsInitialize: parts.open !== undefined,
    reserveRebuildId: () => parts.rebuild?.promiseSessionId(),
    lease(launch, signal) {
      const spawn = spawnerFor(launch);
      const run = new RunProcess(launch, signal, { processes, ...(spawn ? { spawn } : {}) });
      // The process may outlive this turn only for a tracked session whose launch can be matched.
      const sessionId = trackedSessionIdOf(launch);
      const key = sessionId !== undefined && hot.enabled ? hotKey(launch) : undefined;
      let resumeSpareStarts: (() => void) | undefined;
      const startNew = async () => {
        await makeRoomForRun(launch);
        return run.startNew();
      };
      return {
        keepsProcess: key !== undefined,
        async acquire() {
          // The spare a run takes is let go on when it is handed over (it may be stopped here first).
          resumeSpareStarts ??= parts.pauseSpareStarts?.();
          return run.use((await takeHot(launch, key)) ?? (await takeSpare(launch)) ?? (await startNew()));
        },
        async replace(failed) {
          await failed.close();
          return startNew();
        },
        answered: () => resumeSpareStarts?.(),
        process: () => run.process(),
        async release(completed) {
          run.detach();
          resumeSpareStarts?.();
          const conversation = run.current;
          if (conversation && completed && sessionId !== undefined && key !== undefined && !signal.aborted) {
            await hot.park(sessionId, conversation, key, {
              account: launch.account,
              version: versionAfterTurn(launch.conversation),
            });
          } else {
            await run.end();
          }
          parts.afterProcessGone();
        },
      };
    },
  };
}
