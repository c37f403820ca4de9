import {
  type Options,
  query,
  type SDKMessage,
  type SDKUserMessage,
  type SpawnOptions,
} from '@anthropic-ai/claude-agent-sdk';
import type { ClaudeContentBlock, RunPlan } from '../contract/run-plan.js';
import { CONTINUE_TURN_ENV, continuesToolTurn, transcriptTurnsOf } from './client-tool-continuation.js';
import { type Conversation, createConversation, perTurnResult, sendTurn } from './conversation.js';
import { InputChannel } from './input-channel.js';
import { hotKey } from './options/options-key.js';
import { retargetSpare } from './options/spare-retarget.js';
import type { ProcessRegistry, SpawnedRun } from './processes/process-registry.js';
import { ClaudeRunError } from './run-error.js';
import { removeTranscript, type TranscriptLocation, writeTranscript } from './transcript.js';
import type { HotSessions } from './warm/hot-sessions.js';
import type { Spare } from './warm/warm-pool.js';

export interface ClaudeRunnerDeps {
  /** Claude Code executable; undefined uses the one bundled with the Agent SDK. */
  executablePath: string | undefined;
  /** The complete environment of every CLI process (already filtered of gateway secrets). */
  env: Readonly<Record<string, string>>;
  /** Where plain-chat runs execute: an empty directory the gateway owns. */
  workspaceDir: string;
  /** Claude Code's config dir (CLAUDE_CONFIG_DIR), where resumable transcripts live. */
  configDir: string;
  processes: ProcessRegistry;
  /**
   * Extra SDK options per plan (client tools, agent mode, ...), applied in order; each concern lives
   * in its own module and is composed in gateway.ts.
   */
  optionExtenders?: ReadonlyArray<OptionExtender>;
  /**
   * Pre-started processes; a run whose options match one skips Claude Code's start-up (or the part
   * of it the spare has done, when it is still starting).
   */
  warmPool?: { take(options: Options): Promise<Spare | undefined> };
  /** Live processes kept between the turns of a tracked session (`plan.session`). */
  hotSessions?: Pick<HotSessions, 'enabled' | 'take' | 'park'>;
  /**
   * Starts Claude Code for a run that found no live process; it may hand over one spawned ahead of
   * demand with the same launch (`OpenSpares`). When given, every run launches with
   * `--await-initialize`, so its options travel in the SDK's `initialize` request rather than being
   * fixed when the process starts. Defaults to spawning a new process.
   */
  spawnProcess?: (options: SpawnOptions) => SpawnedRun;
  /**
   * As `spawnProcess`, for a rebuilt history (a transcript written for this run and resumed): it may
   * hand over a process spawned ahead with `--resume` for the id the transcript was written under.
   */
  spawnRebuild?: (options: SpawnOptions) => SpawnedRun;
  /**
   * The id to write an untracked rebuilt history's transcript under: one a pre-started process
   * already resumes (see `spawnRebuild`), or undefined for a new one.
   */
  reserveRebuildId?: () => string | undefined;
  /**
   * Called as a run begins, whatever serves it (a cold start, a spare that may still be starting, a
   * spare's first turn): spares starting meanwhile wait, their CPU is the run's. Returns the function
   * that lets them go on, called once the run has its first answer or ended.
   */
  pauseSpareStarts?: () => () => void;
  /** Called once a run's process has exited (or was parked), after its answer: room for spares. */
  afterProcessGone?: () => void;
  /**
   * Called before a new process is spawned, so idle ones make room under the process cap (the run's
   * options tell whether it will take an idle process promised to its session id).
   */
  makeRoomForRun?: (options: Options) => Promise<void>;
}

export type OptionExtender = (plan: RunPlan, options: Options) => Options;

export interface RunCleanup {
  /**
   * Takes the run's process cleanup (ending the CLI, or keeping it as a hot conversation) instead of
   * the generator awaiting it: the generator then ends as soon as the answer is complete, and the
   * caller holds the run's slot until `done` settles (it never rejects).
   */
  settle(done: Promise<void>): void;
}

export interface ClaudeRunner {
  /** Runs the plan; yields SDK messages up to and including the one `result`. */
  run(plan: RunPlan, signal: AbortSignal, cleanup?: RunCleanup): AsyncGenerator<SDKMessage, void, undefined>;
}

export function createClaudeRunner(deps: ClaudeRunnerDeps): ClaudeRunner {
  return {
    async *run(plan, signal, cleanup) {
      if (signal.aborted)
        throw new ClaudeRunError('aborted', 'The request was aborted before Claude Code started.');
      const cwd = plan.agent?.cwd ?? deps.workspaceDir;
      // A continued session already holds the history; anything else is rebuilt from the plan.
      const turns = transcriptTurnsOf(plan);
      const rebuilds = turns.length > 0 && !plan.session?.continues;
      const transcriptId = rebuilds ? (plan.session?.id ?? deps.reserveRebuildId?.()) : undefined;
      const transcript = rebuilds
        ? await writeTranscript({
            configDir: deps.configDir,
            cwd,
            model: plan.model,
            turns,
            ...(transcriptId ? { sessionId: transcriptId } : {}),
          })
        : undefined;
      const abortController = new AbortController();
      let spawned: SpawnedRun | undefined;
      let conversation: Conversation | undefined;
      const onAbort = () => {
        abortController.abort();
        const child = conversation?.process()?.child ?? spawned?.child;
        if (child) void deps.processes.terminate(child);
      };
      signal.addEventListener('abort', onAbort, { once: true });

      const baseOptions = buildOptions(plan, deps, cwd, transcript, abortController, (options) => {
        const spawn = (transcript ? deps.spawnRebuild : undefined) ?? deps.spawnProcess;
        spawned = spawn ? spawn(options) : deps.processes.spawn(options);
        return spawned.process;
      });
      const options = (deps.optionExtenders ?? []).reduce(
        (current, extend) => extend(plan, current),
        baseOptions,
      );
      // The process may outlive this turn only for a tracked session whose options can be matched.
      const liveKey = plan.session && deps.hotSessions?.enabled ? hotKey(options) : undefined;
      let resumeSpareStarts: (() => void) | undefined;
      const startCold = async (): Promise<Conversation> => {
        await deps.makeRoomForRun?.(options);
        const input = new InputChannel();
        return createConversation({
          query: query({ prompt: input, options }),
          input,
          origin: 'cold',
          process: () => spawned,
          processes: deps.processes,
        });
      };
      const startTurn = async (next: Conversation) => {
        conversation = next;
        if (signal.aborted) throw new ClaudeRunError('aborted', 'The request was aborted.');
        // Tool results are already in the transcript (client-tool-continuation.ts): nothing to send,
        // and the input stays open until the run ends (at its end Claude Code cuts tool calls short).
        if (!continuesToolTurn(plan)) sendTurn(next, userTurn(plan.prompt), liveKey !== undefined);
      };
      const begin = async (): Promise<Conversation> => {
        // The spare a run takes is let go on when it is handed over (it may be stopped here first).
        resumeSpareStarts ??= deps.pauseSpareStarts?.();
        const first =
          (await takeHot(deps, plan, liveKey)) ?? (await takeSpare(deps, options)) ?? (await startCold());
        try {
          await startTurn(first);
          return first;
        } catch (error) {
          // A live process that cannot take the turn (it died, or refused the model) is replaced.
          if (first.origin === 'cold' || signal.aborted) throw error;
          await first.close();
          const replacement = await startCold();
          await startTurn(replacement);
          return replacement;
        }
      };
      let answered = false;
      let completed = false;
      try {
        let current = await begin();
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
            // The pre-started process ended before answering: nothing reached the client, so start over.
            await current.close();
            current = await startCold();
            await startTurn(current);
            continue;
          }
          const message = next.value;
          if (message.type !== 'system') {
            answered = true;
            resumeSpareStarts?.();
          }
          if (message.type === 'result') {
            completed = !message.is_error;
            yield perTurnResult(current, message);
            return;
          }
          yield message;
        }
      } catch (error) {
        throw classifyFailure(error, signal, conversation?.process() ?? spawned);
      } finally {
        signal.removeEventListener('abort', onAbort);
        resumeSpareStarts?.();
        const sessionId = plan.session?.id;
        // Started here, synchronously (a parked conversation is findable at once); only the wait for
        // the CLI to exit (~40 ms) is what a caller with `cleanup` no longer sits through.
        const release = (async () => {
          if (conversation && completed && sessionId && liveKey && !signal.aborted && deps.hotSessions) {
            await deps.hotSessions.park(sessionId, conversation, liveKey);
          } else if (conversation) {
            await conversation.close();
          } else if (spawned) {
            await deps.processes.terminate(spawned.child);
          }
          // A tracked session's files belong to the session store, which decides when they go.
          if (transcript && !plan.session) await removeTranscript(transcript).catch(() => undefined);
          deps.afterProcessGone?.();
        })();
        // Only after Claude Code's own result: a run ended early (a stop sequence, max_tokens, an
        // abort, an error) may still be mid-turn, and would go on to ask the API again (a billed
        // call, and one that takes a reply meant for the next run) while it is being ended.
        if (cleanup && completed) cleanup.settle(release.catch(() => undefined));
        else await release;
      }
    },
  };
}

/** The options a run of `plan` starts Claude Code with (its per-run abort and spawn hooks aside). */
export function plannedOptions(plan: RunPlan, deps: ClaudeRunnerDeps): Options {
  const cwd = plan.agent?.cwd ?? deps.workspaceDir;
  const base = buildOptions(plan, deps, cwd, undefined, new AbortController(), () => {
    throw new Error('plannedOptions() describes a run; it does not start one');
  });
  return (deps.optionExtenders ?? []).reduce((current, extend) => extend(plan, current), base);
}

/** The session's own live process, when its last turn left one with the same options. */
async function takeHot(
  deps: ClaudeRunnerDeps,
  plan: RunPlan,
  liveKey: string | undefined,
): Promise<Conversation | undefined> {
  if (!plan.session?.continues || !deps.hotSessions) return undefined;
  const hot = deps.hotSessions.take(plan.session.id);
  if (!hot) return undefined;
  if (hot.key === liveKey) {
    hot.conversation.origin = 'hot';
    return hot.conversation;
  }
  // Options changed between turns (another system prompt, max_tokens, ...): resume it cold instead.
  await hot.conversation.close();
  return undefined;
}

/** A started spare for these options, given the run's system prompt first when it has another. */
async function takeSpare(deps: ClaudeRunnerDeps, options: Options): Promise<Conversation | undefined> {
  const spare = await deps.warmPool?.take(options);
  if (!spare) return undefined;
  const input = new InputChannel();
  const conversation = createConversation({
    query: spare.warm.query(input),
    input,
    origin: 'spare',
    process: () => spare.spawned,
    processes: deps.processes,
  });
  if (!spare.retarget) return conversation;
  try {
    await retargetSpare(conversation.query, spare.retarget);
    return conversation;
  } catch {
    // Refused (or the process died): nothing was asked of the API yet, so the run starts cold.
    await conversation.close();
    return undefined;
  }
}

function buildOptions(
  plan: RunPlan,
  deps: ClaudeRunnerDeps,
  cwd: string,
  transcript: TranscriptLocation | undefined,
  abortController: AbortController,
  spawnClaudeCodeProcess: NonNullable<Options['spawnClaudeCodeProcess']>,
): Options {
  const env: Record<string, string> = { ...deps.env };
  if (plan.maxOutputTokens !== undefined) env.CLAUDE_CODE_MAX_OUTPUT_TOKENS = String(plan.maxOutputTokens);
  if (continuesToolTurn(plan)) Object.assign(env, CONTINUE_TURN_ENV);
  const options: Options = {
    model: plan.model,
    cwd,
    env,
    abortController,
    spawnClaudeCodeProcess,
    // A plain chat model: no built-in tools, no CLAUDE.md or user/project settings, no slash commands.
    tools: plan.agent?.tools ?? [],
    settingSources: [],
    strictMcpConfig: true,
    includePartialMessages: true,
    verbatimPrompts: true,
    // Only a gateway-tracked session is kept: the CLI appends this turn to it for the next request.
    persistSession: plan.session !== undefined,
    systemPrompt: systemPromptOption(plan),
  };
  if (deps.executablePath) options.pathToClaudeCodeExecutable = deps.executablePath;
  // The process may have been spawned before this run (deps.spawnProcess): it must wait for the
  // initialize request, which carries this run's system prompt, schema and in-process tools.
  if (deps.spawnProcess) options.extraArgs = { ...options.extraArgs, 'await-initialize': null };
  if (plan.session?.continues) options.resume = plan.session.id;
  else if (transcript) options.resume = transcript.sessionId;
  else if (plan.session) options.sessionId = plan.session.id;
  if (plan.thinking === 'disabled') options.thinking = { type: 'disabled' };
  if (plan.effort) options.effort = plan.effort;
  if (plan.outputSchema) options.outputFormat = { type: 'json_schema', schema: plan.outputSchema };
  return options;
}

// `snapshot: false`: Claude Code would otherwise record the first system prompt of a session and
// reuse it on every resume, ignoring a system message the client changed since.
function systemPromptOption(plan: RunPlan): Options['systemPrompt'] {
  const system = plan.systemPrompt;
  if (system?.placement === 'append') {
    return {
      type: 'preset',
      preset: 'claude_code',
      snapshot: false,
      ...(system.text ? { append: system.text } : {}),
    };
  }
  return { type: 'custom', prompt: system?.text ?? '', snapshot: false };
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
