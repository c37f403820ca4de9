import { type Options, type Query, query, type SDKMessage, type SDKUserMessage } from '@anthropic-ai/claude-agent-sdk';
import type { ProcessRegistry, SpawnedRun } from './process-registry.js';
import { ClaudeRunError } from './run-error.js';
import type { ClaudeContentBlock, RunPlan } from './run-plan.js';
import { removeTranscript, type TranscriptLocation, writeTranscript } from './transcript.js';

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
  /** Starts the SDK conversation; the default is a cold `query()`. A warm pool substitutes here. */
  launch?: Launcher;
}

export type OptionExtender = (plan: RunPlan, options: Options) => Options;

export interface LaunchParams {
  plan: RunPlan;
  prompt: AsyncIterable<SDKUserMessage>;
  options: Options;
}

export type Launcher = (params: LaunchParams) => Query;

const coldLaunch: Launcher = ({ prompt, options }) => query({ prompt, options });

export interface ClaudeRunner {
  /** Runs the plan; yields SDK messages up to and including the one `result`. */
  run(plan: RunPlan, signal: AbortSignal): AsyncGenerator<SDKMessage, void, undefined>;
}

export function createClaudeRunner(deps: ClaudeRunnerDeps): ClaudeRunner {
  return {
    async *run(plan, signal) {
      if (signal.aborted)
        throw new ClaudeRunError('aborted', 'The request was aborted before Claude Code started.');
      const cwd = plan.agent?.cwd ?? deps.workspaceDir;
      const transcript =
        plan.history.length > 0
          ? await writeTranscript({ configDir: deps.configDir, cwd, model: plan.model, turns: plan.history })
          : undefined;
      const abortController = new AbortController();
      let spawned: SpawnedRun | undefined;
      const onAbort = () => {
        abortController.abort();
        if (spawned) void deps.processes.terminate(spawned.child);
      };
      signal.addEventListener('abort', onAbort, { once: true });

      const baseOptions = buildOptions(plan, deps, cwd, transcript, abortController, (options) => {
        spawned = deps.processes.spawn(options);
        return spawned.process;
      });
      const options = (deps.optionExtenders ?? []).reduce(
        (current, extend) => extend(plan, current),
        baseOptions,
      );
      const conversation = (deps.launch ?? coldLaunch)({ plan, prompt: singleTurn(plan.prompt), options });
      try {
        for await (const message of conversation) {
          yield message;
          if (message.type === 'result') return;
        }
      } catch (error) {
        throw classifyFailure(error, signal, spawned);
      } finally {
        signal.removeEventListener('abort', onAbort);
        conversation.close();
        if (spawned) await deps.processes.terminate(spawned.child);
        if (transcript) await removeTranscript(transcript).catch(() => undefined);
      }
    },
  };
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
    persistSession: false,
    systemPrompt: systemPromptOption(plan),
  };
  if (deps.executablePath) options.pathToClaudeCodeExecutable = deps.executablePath;
  if (transcript) options.resume = transcript.sessionId;
  if (plan.thinking === 'disabled') options.thinking = { type: 'disabled' };
  if (plan.effort) options.effort = plan.effort;
  if (plan.outputSchema) options.outputFormat = { type: 'json_schema', schema: plan.outputSchema };
  return options;
}

function systemPromptOption(plan: RunPlan): Options['systemPrompt'] {
  const system = plan.systemPrompt;
  if (!system) return '';
  return system.placement === 'append'
    ? { type: 'preset', preset: 'claude_code', append: system.text }
    : system.text;
}

/** The prompt goes over stdin as one user message: no argv limits, and content blocks survive. */
async function* singleTurn(content: ClaudeContentBlock[]): AsyncGenerator<SDKUserMessage> {
  yield {
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
