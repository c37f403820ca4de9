import { randomUUID } from 'node:crypto';
import type { SDKMessage, SDKUserMessage } from '@anthropic-ai/claude-agent-sdk';
import type { Account } from '../contract/accounts.js';
import { GatewayError } from '../contract/gateway-error.js';
import type { ClaudeContentBlock, RunPlan } from '../contract/run-plan.js';
import { continuesToolTurn, transcriptTurnsOf } from './client-tool-continuation.js';
import { type Conversation, perTurnResult, sendTurn } from './conversation.js';
import type { LaunchPlanner } from './options/plan-launch.js';
import type { ProcessLease, ProcessSource } from './process-source.js';
import type { SpawnedRun } from './processes/process-registry.js';
import { ClaudeRunError } from './run-error.js';
import {
  copyTranscript,
  projectKeyOf,
  removeTranscript,
  type TranscriptLocation,
  writeTranscript,
} from './transcript.js';
import type { TurnHold, TurnHolds } from './upstream/turn-holds.js';

export interface ClaudeRunnerDeps {
  /** Claude Code's config dir (CLAUDE_CONFIG_DIR), where resumable transcripts live. */
  configDir: string;
  launches: LaunchPlanner;
  source: ProcessSource;
  /**
   * The relay's holds on sessions' API requests and transcript entries: with them, a turn whose
   * session is not claimed yet may go to its process meanwhile (`RunOptions.confirm`).
   */
  holds?: TurnHolds;
}

export interface RunCleanup {
  /**
   * Takes the run's process cleanup (ending the CLI, or keeping it as a hot conversation) instead of
   * the generator awaiting it: the generator then ends as soon as the answer is complete, and the
   * caller holds the run's slot until `done` settles (it never rejects).
   */
  settle(done: Promise<void>): void;
}

export interface RunOptions {
  cleanup?: RunCleanup;
  /** The pooled account the run goes to; absent: the gateway's own credentials. */
  account?: Account;
  /**
   * A continued conversation moving to `account` from this one (or from the gateway's own
   * credentials, `null`): its transcript is where that account's processes keep theirs.
   */
  movedFrom?: Account | null;
  /** Called each time the turn is handed to Claude Code (again when a process is replaced). */
  onTurnSent?: () => void;
  /**
   * The plan's session is the one the conversation index foresaw, and its claim is still on the
   * way: the turn goes to the session's process now, and what it sends (its API requests, its
   * transcript entries) is held until this settles (only where `holdsTurns`). Undefined: the claim
   * gave that session, the turn goes on. A plan: it gave another (or the session moved on
   * elsewhere), so the process is ended before anything of the turn left, and the run starts over
   * with that plan. A rejection: the run fails with it, the same way.
   */
  confirm?: Promise<RunPlan | undefined>;
}

export interface ClaudeRunner {
  /** Whether a run may start before its session is confirmed (`RunOptions.confirm`). */
  readonly holdsTurns?: boolean;
  /** Runs the plan; yields SDK messages up to and including the one `result`. */
  run(plan: RunPlan, signal: AbortSignal, options?: RunOptions): AsyncGenerator<SDKMessage, void, undefined>;
}

/**
 * Runs one turn: writes the transcript of a history to rebuild, asks the process source for a
 * conversation, sends the turn, streams Claude Code's messages up to its result, and hands the
 * process back.
 */
export function createClaudeRunner(deps: ClaudeRunnerDeps): ClaudeRunner {
  const { holds } = deps;
  return {
    holdsTurns: holds !== undefined,
    async *run(plan, signal, options = {}) {
      const { confirm, ...rest } = options;
      const sessionId = plan.session?.id;
      if (confirm === undefined || holds === undefined || sessionId === undefined) {
        yield* attempt(plan, signal, rest);
        return;
      }
      if (holds.passage(sessionId) !== undefined) {
        // Another run of this session went ahead of its claim already (a client's duplicate
        // request): this one waits for its own claim, and the other's hold stays its own.
        yield* attempt((await confirm) ?? plan, signal, rest);
        return;
      }
      const hold = holds.hold(sessionId);
      try {
        yield* attempt(plan, signal, rest, { hold, confirm });
      } catch (error) {
        if (!(error instanceof Superseded)) throw error;
        // The process that had the turn is gone: what it sent is dropped, and the run starts over.
        hold.discard();
        yield* attempt(error.plan, signal, rest);
      } finally {
        hold.discard();
      }
    },
  };

  async function* attempt(
    plan: RunPlan,
    signal: AbortSignal,
    options: Omit<RunOptions, 'confirm'>,
    held?: { hold: TurnHold; confirm: Promise<RunPlan | undefined> },
  ): AsyncGenerator<SDKMessage, void, undefined> {
    const { cleanup } = options;
    if (signal.aborted)
      throw new ClaudeRunError('aborted', 'The request was aborted before Claude Code started.');
    // A continued session already holds the history; anything else is rebuilt from the plan.
    const turns = transcriptTurnsOf(plan);
    const rebuilds = turns.length > 0 && !plan.session?.continues;
    // Reserved before the transcript is written: a process started ahead may resume that id.
    const rebuildId = rebuilds
      ? (plan.session?.id ?? deps.source.reserveRebuildId() ?? randomUUID())
      : undefined;
    const launch = deps.launches.plan(plan, rebuildId, options.account);
    // An account may keep its transcripts under its own CLAUDE_CONFIG_DIR.
    const configDir = launch.env.CLAUDE_CONFIG_DIR ?? deps.configDir;
    if (options.movedFrom !== undefined && launch.conversation.kind === 'continue') {
      const previous = deps.launches.underAccount(launch, options.movedFrom ?? undefined);
      await copyTranscript({
        fromConfigDir: previous.env.CLAUDE_CONFIG_DIR ?? deps.configDir,
        toConfigDir: configDir,
        cwd: launch.cwd,
        sessionId: launch.conversation.sessionId,
      });
    }
    const transcript =
      rebuildId === undefined
        ? undefined
        : await writeTranscript({
            configDir,
            cwd: launch.cwd,
            model: plan.model,
            turns,
            sessionId: rebuildId,
          });
    // Claude Code mirrors only the lines it writes itself: the rebuilt history goes to the mirror
    // here, so a gateway that resumes the session from the mirror gets every earlier turn.
    if (transcript && launch.transcriptMirror) {
      const key = { projectKey: projectKeyOf(launch.cwd), sessionId: transcript.sessionId };
      await launch.transcriptMirror.store.append(key, transcript.entries);
    }
    const lease = deps.source.lease(launch, signal);
    const startTurn = (next: Conversation): Conversation => {
      if (signal.aborted) throw new ClaudeRunError('aborted', 'The request was aborted.');
      // Tool results are already in the transcript (client-tool-continuation.ts): nothing to send,
      // and the input stays open until the run ends (at its end Claude Code cuts tool calls short).
      if (!continuesToolTurn(plan)) sendTurn(next, userTurn(plan.prompt), lease.keepsProcess);
      options.onTurnSent?.();
      return next;
    };
    const begin = async (): Promise<Conversation> => {
      const first = await lease.acquire();
      try {
        return startTurn(first);
      } catch (error) {
        // A live process that cannot take the turn (it died, or refused the model) is replaced.
        if (first.origin === 'cold' || signal.aborted) throw error;
        return startTurn(await lease.replace(first));
      }
    };
    let answered = false;
    let completed = false;
    try {
      let current = await begin();
      if (held) {
        // Claude Code works on the turn meanwhile; nothing of it leaves the gateway until this.
        const instead = await held.confirm;
        if (instead !== undefined) throw new Superseded(instead);
        // A client gone meanwhile: its process is being ended, and its request stays held.
        if (signal.aborted) throw new ClaudeRunError('aborted', 'The request was aborted.');
        held.hold.open();
      }
      for (;;) {
        let next: IteratorResult<SDKMessage, void>;
        try {
          next = await current.messages.next();
        } catch (error) {
          if (answered || current.origin === 'cold' || signal.aborted) throw error;
          next = { done: true, value: undefined };
        }
        if (next.done) {
          if (answered || current.origin === 'cold' || signal.aborted) return;
          // The process started ahead ended before answering: nothing reached the client, so start over.
          current = startTurn(await lease.replace(current));
          continue;
        }
        const message = next.value;
        if (message.type !== 'system' && !answered) {
          answered = true;
          lease.answered();
        }
        if (message.type === 'result') {
          completed = !message.is_error;
          yield perTurnResult(current, message);
          return;
        }
        yield message;
      }
    } catch (error) {
      if (error instanceof Superseded || error instanceof GatewayError) throw error;
      throw classifyFailure(error, signal, lease.process());
    } finally {
      const release = releaseRun(lease, completed, plan.session ? undefined : transcript);
      // Only after Claude Code's own result: a run ended early (a stop sequence, max_tokens, an
      // abort, an error) may still be mid-turn, and would go on to ask the API again (a billed
      // call, and one that takes a reply meant for the next run) while it is being ended.
      if (cleanup && completed) cleanup.settle(release.catch(() => undefined));
      else await release;
    }
  }
}

/** The claim gave another session than the one foreseen: the run starts over with `plan`. */
class Superseded extends Error {
  constructor(readonly plan: RunPlan) {
    super('the session was claimed otherwise');
  }
}

/**
 * Hands the process back: started here, synchronously (a kept conversation is findable at once);
 * only the wait for the CLI to exit (~40 ms) is what a caller with `cleanup` no longer sits through.
 * An untracked rebuild's transcript goes with it (a tracked session's files are the session store's).
 */
async function releaseRun(
  lease: ProcessLease,
  completed: boolean,
  ownTranscript: TranscriptLocation | undefined,
): Promise<void> {
  await lease.release(completed);
  if (ownTranscript) await removeTranscript(ownTranscript).catch(() => undefined);
}

/** The prompt goes over stdin as a user message: no argv limits, and content blocks survive. */
function userTurn(content: ClaudeContentBlock[]): SDKUserMessage {
  return {
    type: 'user',
    message: { role: 'user', content: content as Extract<SDKUserMessage['message']['content'], unknown[]> },
    parent_tool_use_id: null,
  };
}

function classifyFailure(
  error: unknown,
  signal: AbortSignal,
  spawned: SpawnedRun | undefined,
): ClaudeRunError {
  if (error instanceof ClaudeRunError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (signal.aborted) return new ClaudeRunError('aborted', 'The request was aborted.');
  if (/ENOENT|not found|no such file/i.test(message) && !spawned?.child.pid) {
    return new ClaudeRunError('unavailable', `Claude Code could not be started: ${message}`);
  }
  return new ClaudeRunError(
    'crashed',
    `Claude Code stopped unexpectedly: ${message}`,
    spawned?.stderrTail() ?? '',
  );
}
