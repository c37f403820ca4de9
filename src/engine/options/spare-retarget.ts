import type { McpSdkServerConfigWithInstance, Options, Query } from '@anthropic-ai/claude-agent-sdk';
import { canonicalJson } from '../../util/canonical-json.js';
import {
  type ClaimableEffort,
  claimedEffort,
  claimedSystemPrompt,
  EXTRA_BODY_ENV,
  extraBodyOf,
  inProcessServersOf,
  MAX_OUTPUT_TOKENS_ENV,
  maxOutputTokensOf,
  spareShapeKey,
} from './options-key.js';

/** What a claimed spare takes before its first turn, so that it serves a run started otherwise. */
export interface SpareRetarget {
  /** The model the spare runs (it must already be the run's: the model itself is not switched). */
  model: string;
  /** Replaces the custom system prompt the spare was started with. */
  systemPrompt?: string;
  /** Replaces the effort the spare was started with (Claude Code's `effortLevel` flag setting). */
  effort?: ClaimableEffort;
  /** Replaces the output token limit (`max_tokens`), which a cold start reads from its environment. */
  maxOutputTokens?: string;
  /** Replaces the extra request body (`CLAUDE_CODE_EXTRA_BODY`: the client tools' `tool_choice`). */
  extraBody?: string;
  /** The spare was started with thinking disabled; the run thinks as Claude Code does by default. */
  enableThinking?: boolean;
  /** The run's in-process MCP servers (its client tools): a spare starts without any. */
  mcpServers?: Record<string, McpSdkServerConfigWithInstance>;
}

/**
 * What a spare started with `own` options must be given to serve a run with `run` options, when
 * they differ only in what a started process can still take (`spareShapeKey`); undefined when it
 * cannot serve the run. Some changes go one way only: a custom prompt cannot be emptied, a limit
 * not taken away, and a spare that thinks is not made to stop (no way to do that was checked).
 */
export function planRetarget(own: Options, run: Options): SpareRetarget | undefined {
  const shape = spareShapeKey(run);
  if (shape === undefined || shape !== spareShapeKey(own) || typeof run.model !== 'string') return undefined;
  const promptDiffers = canonicalJson(run.systemPrompt) !== canonicalJson(own.systemPrompt);
  const systemPrompt = promptDiffers ? claimedSystemPrompt(run) : undefined;
  const effortDiffers = run.effort !== own.effort;
  const effort = effortDiffers ? claimedEffort(run) : undefined;
  const thinkingDiffers = canonicalJson(run.thinking) !== canonicalJson(own.thinking);
  const enableThinking = run.thinking === undefined && own.thinking?.type === 'disabled';
  const maxOutputTokens = maxOutputTokensOf(run);
  const mcpServers = inProcessServersOf(run);
  const limitDiffers = maxOutputTokens !== maxOutputTokensOf(own);
  const extraBody = extraBodyOf(run);
  const extraBodyDiffers = extraBody !== extraBodyOf(own);
  if (
    (promptDiffers && systemPrompt === undefined) ||
    (effortDiffers && effort === undefined) ||
    (thinkingDiffers && !enableThinking) ||
    (limitDiffers && maxOutputTokens === undefined) ||
    (extraBodyDiffers && extraBody === undefined)
  ) {
    return undefined;
  }
  return {
    model: run.model,
    ...(systemPrompt === undefined ? {} : { systemPrompt }),
    ...(effort === undefined ? {} : { effort }),
    ...(limitDiffers && maxOutputTokens !== undefined ? { maxOutputTokens } : {}),
    ...(extraBodyDiffers && extraBody !== undefined ? { extraBody } : {}),
    ...(thinkingDiffers ? { enableThinking } : {}),
    ...(mcpServers ? { mcpServers } : {}),
  };
}

interface ControlRequester {
  request(request: Record<string, unknown>): Promise<unknown>;
}

/**
 * Gives a started, idle Claude Code process the run's system prompt, effort, output token limit and
 * thinking before its first turn. The effort goes as the `effortLevel` flag setting and the limit as
 * the flag settings' `env` (`applyFlagSettings`): the API then gets the `output_config.effort` and
 * `max_tokens` of a cold start with `--effort` and the environment variable (checked at the mock). For the prompt, Claude
 * Code's `set_model` control request with `only_if_model_is_current: true` and a `system_prompt`
 * replaces the prompt and leaves the model alone: no API call (a plain `set_model` may probe the
 * API), and the first request carries exactly the system blocks a cold start with that prompt sends
 * (both checked at the mock). It is refused when the process does not run `model`.
 *
 * The Agent SDK's Query sends control requests through its `request` method, which its types do not
 * declare (0.3.330), so its presence is checked: without it the spare is not used and the run starts
 * cold, as it would have before.
 */
export async function retargetSpare(query: Query, retarget: SpareRetarget): Promise<void> {
  // The servers connect (an in-process round trip per MCP request) while the rest is sent.
  await Promise.all([
    retarget.mcpServers ? addServers(query, retarget.mcpServers) : undefined,
    applySettings(query, retarget),
  ]);
}

async function applySettings(query: Query, retarget: SpareRetarget): Promise<void> {
  if (retarget.systemPrompt !== undefined)
    await replaceSystemPrompt(query, retarget.model, retarget.systemPrompt);
  // Flag settings: `effortLevel`, and `env` for the variable a cold start would have been launched with.
  const settings: Parameters<Query['applyFlagSettings']>[0] = {
    ...(retarget.effort === undefined ? {} : { effortLevel: retarget.effort }),
  };
  const env: Record<string, string> = {
    ...(retarget.maxOutputTokens === undefined ? {} : { [MAX_OUTPUT_TOKENS_ENV]: retarget.maxOutputTokens }),
    ...(retarget.extraBody === undefined ? {} : { [EXTRA_BODY_ENV]: retarget.extraBody }),
  };
  if (Object.keys(env).length > 0) settings.env = env;
  if (Object.keys(settings).length > 0) await query.applyFlagSettings(settings);
  // No limit: the API then gets the adaptive thinking of a cold start without `--thinking=disabled`.
  if (retarget.enableThinking) await query.setMaxThinkingTokens(null);
}

/**
 * Connects the run's in-process MCP servers (`mcp_set_servers`): Claude Code lists their tools
 * before the response comes back, so the first turn offers them as a cold start with the servers in
 * its options does (checked at the mock). A server that failed to connect fails the claim.
 */
async function addServers(
  query: Query,
  servers: Record<string, McpSdkServerConfigWithInstance>,
): Promise<void> {
  const { errors } = await query.setMcpServers(servers);
  const failed = Object.entries(errors);
  if (failed.length > 0) {
    throw new Error(
      `a claimed spare could not connect ${failed.map(([name, why]) => `${name}: ${why}`).join('; ')}`,
    );
  }
}

async function replaceSystemPrompt(query: Query, model: string, systemPrompt: string): Promise<void> {
  const requester = query as unknown as Partial<ControlRequester>;
  if (typeof requester.request !== 'function') {
    throw new Error('this Agent SDK cannot give a started Claude Code process another system prompt');
  }
  await requester.request.call(query, {
    subtype: 'set_model',
    model,
    only_if_model_is_current: true,
    system_prompt: systemPrompt,
  });
}
