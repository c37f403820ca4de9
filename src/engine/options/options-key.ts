import { createHash } from 'node:crypto';
import type { McpSdkServerConfigWithInstance, Options } from '@anthropic-ai/claude-agent-sdk';
import { canonicalJson } from '../../util/canonical-json.js';

/**
 * Per-run plumbing: every run brings its own; they never make two runs' options differ. The model is
 * part of the key: switching a live process's model (`Query.setModel`) makes Claude Code send an
 * extra probe request to the API, so a process only serves the model it started with.
 */
const PER_RUN_KEYS = new Set(['abortController', 'spawnClaudeCodeProcess']);
/** Options that continue an existing conversation: a fresh process cannot serve them. */
const RESUME_KEYS = ['resume', 'continue', 'forkSession', 'resumeSessionAt'];
/** The id a new session is recorded under: each spare has its own (see `WarmPool.promiseSessionId`). */
const SESSION_ID_KEY = 'sessionId';

/**
 * Identity of the options a process was started with, for deciding whether a run can use an
 * already-started process. Only plain data takes part: a function or object instance (a callback,
 * an in-process MCP server) cannot be compared or shared, so options holding one get no key and
 * always start their own process. The key is a hash, so the environment's secrets are not kept.
 */
function keyOf(options: Readonly<Record<string, unknown>>, ignored: ReadonlySet<string>): string | undefined {
  const entries = Object.entries(options)
    .filter(([name, value]) => value !== undefined && !ignored.has(name))
    // Whether a session id is set matters (the process then records its session); which one does not.
    .map(([name, value]) => (name === SESSION_ID_KEY ? [name, true] : [name, value]));
  const canonical = canonicalJson(Object.fromEntries(entries));
  return canonical === undefined ? undefined : createHash('sha256').update(canonical).digest('hex');
}

/**
 * Key for a pre-started spare: undefined when the options continue a conversation or hold code other
 * than what a claimed spare can be given: the run's in-process MCP servers (handed over with
 * `setMcpServers`, so left out) and hook callbacks (a spare's hooks forward to the run that claimed
 * it, `routed-hooks.ts`, so only where they sit counts).
 */
export function spareKey(options: Options): string | undefined {
  if (RESUME_KEYS.some((name) => options[name as keyof Options] !== undefined)) return undefined;
  const { mcpServers, hooks, ...rest } = options;
  const otherServers = withoutInProcessServers(mcpServers);
  return keyOf(
    {
      ...rest,
      ...(otherServers ? { mcpServers: otherServers } : {}),
      ...(hooks ? { hooks: hookPlaces(hooks) } : {}),
    },
    PER_RUN_KEYS,
  );
}

function isInProcessServer(
  config: NonNullable<Options['mcpServers']>[string],
): config is McpSdkServerConfigWithInstance {
  return config.type === 'sdk' && 'instance' in config;
}

/** The run's in-process (SDK) MCP servers, which a claimed spare is given; undefined when none. */
export function inProcessServersOf(
  options: Options,
): Record<string, McpSdkServerConfigWithInstance> | undefined {
  const entries = Object.entries(options.mcpServers ?? {}).filter(
    (entry): entry is [string, McpSdkServerConfigWithInstance] => isInProcessServer(entry[1]),
  );
  return entries.length > 0 ? Object.fromEntries(entries) : undefined;
}

/** The MCP servers a process starts with when its in-process ones come later; undefined when none. */
export function withoutInProcessServers(servers: Options['mcpServers']): Options['mcpServers'] {
  const kept = Object.entries(servers ?? {}).filter(([, config]) => !isInProcessServer(config));
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

/** Hooks as plain data: each callback becomes a marker, so only events, matchers and counts count. */
function hookPlaces(hooks: NonNullable<Options['hooks']>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(hooks).map(([event, matchers]) => [
      event,
      (matchers ?? []).map((matcher) => ({ ...matcher, hooks: matcher.hooks.map(() => 'callback') })),
    ]),
  );
}

/**
 * A custom system prompt that Claude Code renders afresh on every request (`snapshot: false`): a
 * started process can be given another one before its first turn (see `spare-retarget.ts`).
 */
function isReplaceablePrompt(
  prompt: Options['systemPrompt'],
): prompt is { type: 'custom'; prompt: string; snapshot: false } {
  return (
    typeof prompt === 'object' &&
    !Array.isArray(prompt) &&
    prompt.type === 'custom' &&
    typeof prompt.prompt === 'string' &&
    prompt.snapshot === false
  );
}

/**
 * As `spareKey`, with what a started spare can still be given left out (a replaceable custom system
 * prompt's text, the effort, whether it thinks, the output token limit, the extra request body): runs whose options differ
 * only there can share one started spare, which takes the run's values when it is claimed.
 */
export function spareShapeKey(options: Options): string | undefined {
  const { systemPrompt, effort: _effort, thinking: _thinking, env, ...rest } = options;
  const { [MAX_OUTPUT_TOKENS_ENV]: _limit, [EXTRA_BODY_ENV]: _extraBody, ...otherEnv } = env ?? {};
  const shaped: Options = { ...rest, ...(env ? { env: otherEnv } : {}) };
  if (!isReplaceablePrompt(systemPrompt)) return spareKey({ ...shaped, systemPrompt });
  return spareKey({ ...shaped, systemPrompt: { ...systemPrompt, prompt: '' } });
}

/** How the gateway passes `max_tokens` to Claude Code; a started process takes it as a setting. */
export const MAX_OUTPUT_TOKENS_ENV = 'CLAUDE_CODE_MAX_OUTPUT_TOKENS';

/**
 * Fields Claude Code adds to every Messages API request (the client tools' `tool_choice` none or
 * without parallel calls); read per request, so a started process takes it as a setting too.
 */
export const EXTRA_BODY_ENV = 'CLAUDE_CODE_EXTRA_BODY';

/** The run's extra request body (as Claude Code reads it), if it has one. */
export function extraBodyOf(options: Options): string | undefined {
  return options.env?.[EXTRA_BODY_ENV];
}

/** The run's output token limit (as Claude Code reads it), if it sets one. */
export function maxOutputTokensOf(options: Options): string | undefined {
  return options.env?.[MAX_OUTPUT_TOKENS_ENV];
}

/** Effort levels Claude Code takes as a flag setting (`effortLevel`) after it has started. */
const CLAIMABLE_EFFORTS = ['low', 'medium', 'high', 'xhigh'] as const;
export type ClaimableEffort = (typeof CLAIMABLE_EFFORTS)[number];

/** The run's effort when a started spare can be given it, else undefined. */
export function claimedEffort(options: Options): ClaimableEffort | undefined {
  return CLAIMABLE_EFFORTS.find((level) => level === options.effort);
}

/**
 * The system prompt a started spare must be given to serve a run with these options, when it was
 * started with other text: undefined when the run has none to give (Claude Code cannot be switched
 * to an empty custom prompt, so such a run needs a spare started with one).
 */
export function claimedSystemPrompt(options: Options): string | undefined {
  const { systemPrompt } = options;
  return isReplaceablePrompt(systemPrompt) && systemPrompt.prompt !== '' ? systemPrompt.prompt : undefined;
}

/**
 * Key for a live conversation's next turn: the process already holds the conversation, so options
 * that would resume it are ignored; everything else must match the turn that started the process.
 */
export function hotKey(options: Options): string | undefined {
  return keyOf(options, new Set([...PER_RUN_KEYS, ...RESUME_KEYS, SESSION_ID_KEY]));
}
