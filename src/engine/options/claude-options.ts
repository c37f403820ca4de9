import { randomUUID } from 'node:crypto';
import type { McpSdkServerConfigWithInstance, Options } from '@anthropic-ai/claude-agent-sdk';
import { canonicalJson } from '../../util/canonical-json.js';
import { type ClaudeLaunch, type Hooks, recordsConversation } from './claude-launch.js';
import { routedHooks } from './routed-hooks.js';

/** Effort levels Claude Code takes as a flag setting (`effortLevel`) after it has started. */
const CLAIMABLE_EFFORTS = ['low', 'medium', 'high', 'xhigh'] as const;
type ClaimableEffort = (typeof CLAIMABLE_EFFORTS)[number];

/** How the gateway passes `max_tokens` to Claude Code (read per request, so a flag setting too). */
const MAX_OUTPUT_TOKENS_ENV = 'CLAUDE_CODE_MAX_OUTPUT_TOKENS';
/** Fields Claude Code adds to every Messages API request; read per request, so a flag setting too. */
const EXTRA_BODY_ENV = 'CLAUDE_CODE_EXTRA_BODY';
const CONTINUE_TURN_ENV = 'CLAUDE_CODE_RESUME_INTERRUPTED_TURN';

/**
 * What a claimed spare takes before its first turn, so that it serves a run started otherwise: one
 * field per way a started Claude Code process can be changed (see `retarget-spare.ts`).
 */
export interface SpareRetarget {
  /** The model the spare runs (already the run's: a process only serves the model it started with). */
  model: string;
  /** The `set_model` control request with a `system_prompt`: replaces a custom system prompt. */
  systemPrompt?: string;
  /** `applyFlagSettings`: the effort level, and variables Claude Code reads per request. */
  flagSettings?: { effortLevel?: ClaimableEffort; env?: Record<string, string> };
  /** `setMaxThinkingTokens(null)`: a spare started with thinking disabled thinks as by default. */
  unlimitedThinking?: true;
  /** `setMcpServers`: the run's in-process MCP servers (a spare starts without any). */
  mcpServers?: Record<string, McpSdkServerConfigWithInstance>;
}

export type RetargetPart = Omit<SpareRetarget, 'model'>;

/** Marks a launch that no spare started ahead of it can serve. */
export const NO_SPARE = Symbol('no spare');

/** The SDK options and environment a launch is being written into. */
interface LaunchDraft {
  options: Options;
  env: Record<string, string>;
}

/** What the table says of one option. */
export interface OptionRule<V> {
  /** How a launch sets it: on the SDK options or in the process environment. */
  launch(value: V, draft: LaunchDraft, launch: ClaudeLaunch): void;
  /** Its part of a spare's key (default: the value); NO_SPARE when no spare can serve it. */
  spare?: (value: V) => unknown;
  /** Its part of a kept (hot) process's key, for the session's next turn (default: the value). */
  hot?: (value: V) => unknown;
  /** What a spare started ahead of its run launches with (default: the value), given its claimant's. */
  spareStart?: (value: V, claimant: () => V | undefined) => V;
  /**
   * The CLI flag it launches as, when the SDK's initialize request carries it too: a process
   * launched with `--await-initialize` takes it from there (an open spare's launch leaves it out).
   */
  initializeFlag?: string;
  /** Present when a started spare can still be given the run's value when it is claimed. */
  claim?: {
    /** What of the value a spare must still share (default: nothing): the rest it is given. */
    shape?: (value: V) => unknown;
    /** What a spare started with `own` is given to serve `run`; undefined when it cannot be. */
    take(own: V, run: V, runLaunch: ClaudeLaunch): RetargetPart | undefined;
  };
}

type OptionTable = { [K in keyof ClaudeLaunch]: OptionRule<ClaudeLaunch[K]> };

/** What visits each option: generic, so a rule and the launch's value of the same option go together. */
export type OptionVisitor<R> = <K extends keyof ClaudeLaunch>(
  name: K,
  rule: OptionRule<ClaudeLaunch[K]>,
) => R;

const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);
const omitted = () => undefined;

/**
 * Every Claude Code option a launch sets, in the order a launch writes them: how it is set, how it
 * keys a spare and a kept process, and whether and how a started process takes another value.
 * Values that hold code (a callback, a server instance) are not plain data: a key holding one is
 * undefined, so such runs never share a process.
 */
const CLAUDE_OPTIONS: OptionTable = {
  sdk: {
    launch: (value, draft) => Object.assign(draft.options, value),
  },
  claudeCodePath: {
    launch: (value, draft) => {
      if (value) draft.options.pathToClaudeCodeExecutable = value;
    },
  },
  env: {
    launch: (value, draft) => Object.assign(draft.env, value),
  },
  // Only a name: the account's credentials are in `env`. It keys spares and kept processes all the same.
  account: {
    launch: () => undefined,
  },
  // Switching a live process's model (`Query.setModel`) makes Claude Code send an extra probe
  // request to the API, so a process only serves the model it started with.
  model: {
    launch: (value, draft) => {
      draft.options.model = value;
    },
  },
  cwd: {
    launch: (value, draft) => {
      draft.options.cwd = value;
    },
  },
  conversation: {
    launch: (value, draft) => {
      // Only a gateway-tracked session is kept: the CLI appends this turn to it for the next request.
      draft.options.persistSession = recordsConversation(value);
      if (value.kind !== 'new') draft.options.resume = value.sessionId;
      else if (value.sessionId !== undefined) draft.options.sessionId = value.sessionId;
    },
    // A started process cannot take up another conversation; whether it records one matters, which not.
    spare: (value) => (value.kind === 'new' ? { records: value.sessionId !== undefined } : NO_SPARE),
    // A kept process already holds its conversation.
    hot: (value) => ({ records: recordsConversation(value) }),
    // Claude Code takes the session id at start-up: each spare records under its own (promised later).
    spareStart: (value) =>
      value.kind === 'new' && value.sessionId !== undefined
        ? { kind: 'new', sessionId: randomUUID() }
        : value,
  },
  // The store is code, so it keys a process by its name: a spare or a kept process mirrors to the
  // same store as the run it serves, and its mirror carries on with the run's turns.
  transcriptMirror: {
    launch: (value, draft) => {
      if (value) draft.options.sessionStore = value.store;
    },
    spare: (value) => value?.name,
    hot: (value) => value?.name,
  },
  systemPrompt: {
    launch: (value, draft) => {
      draft.options.systemPrompt = systemPromptOption(value);
    },
    claim: {
      // A custom prompt is rendered afresh on every request (`snapshot: false`), so a started process
      // can be given another; text appended to Claude Code's own prompt cannot.
      shape: (value) => (value.placement === 'replace' ? { placement: 'replace' } : value),
      // Claude Code cannot be switched to an empty custom prompt: such a run needs a spare started so.
      take: (own, run) => {
        if (same(own, run)) return {};
        return run.placement === 'replace' && run.text !== '' ? { systemPrompt: run.text } : undefined;
      },
    },
  },
  effort: {
    launch: (value, draft) => {
      if (value) draft.options.effort = value;
    },
    claim: {
      take: (own, run) => {
        if (own === run) return {};
        const effortLevel = CLAIMABLE_EFFORTS.find((level) => level === run);
        return effortLevel ? { flagSettings: { effortLevel } } : undefined;
      },
    },
  },
  thinking: {
    launch: (value, draft) => {
      if (value === 'disabled') draft.options.thinking = { type: 'disabled' };
    },
    // Without a limit the API gets the adaptive thinking of a cold start without `--thinking=disabled`;
    // a spare that thinks is not made to stop (no way to do that was checked).
    claim: {
      take: (own, run) => {
        if (own === run) return {};
        return run === 'default' ? { unlimitedThinking: true } : undefined;
      },
    },
  },
  maxOutputTokens: {
    launch: (value, draft) => {
      if (value !== undefined) draft.env[MAX_OUTPUT_TOKENS_ENV] = String(value);
    },
    // A limit is given, never taken away.
    claim: {
      take: (own, run) => {
        if (own === run) return {};
        return run === undefined
          ? undefined
          : { flagSettings: { env: { [MAX_OUTPUT_TOKENS_ENV]: String(run) } } };
      },
    },
  },
  extraBody: {
    launch: (value, draft, launch) => {
      const body = extraBodyEnv(launch.env, value);
      if (body !== undefined) draft.env[EXTRA_BODY_ENV] = body;
    },
    // The operator's own extra body is the same for both (the environment is part of the shape).
    claim: {
      take: (own, run, runLaunch) => {
        const body = extraBodyEnv(runLaunch.env, run);
        if (body === extraBodyEnv(runLaunch.env, own)) return {};
        return body === undefined ? undefined : { flagSettings: { env: { [EXTRA_BODY_ENV]: body } } };
      },
    },
  },
  // Checked against the mock: the same StructuredOutput tool and schema reach the API either way.
  outputSchema: {
    launch: (value, draft) => {
      if (value) draft.options.outputFormat = { type: 'json_schema', schema: value };
    },
    initializeFlag: '--json-schema',
  },
  continueInterruptedTurn: {
    launch: (value, draft) => {
      if (value) draft.env[CONTINUE_TURN_ENV] = '1';
    },
  },
  awaitInitialize: {
    launch: (value, draft) => {
      if (value) draft.options.extraArgs = { ...draft.options.extraArgs, 'await-initialize': null };
    },
  },
  // A kept process keeps the servers of the turn that started it: its next turn must not reuse them
  // (their instances make its key undefined).
  inProcessServers: {
    launch: (value, draft) => {
      if (Object.keys(value).length > 0) draft.options.mcpServers = { ...draft.options.mcpServers, ...value };
    },
    spare: omitted,
    spareStart: () => ({}),
    claim: {
      take: (_own, run) => (Object.keys(run).length > 0 ? { mcpServers: { ...run } } : {}),
    },
  },
  // Claude Code registers hook callbacks at start-up, so a spare's hooks forward to its claimant's.
  hooks: {
    launch: (value, draft) => {
      if (value) draft.options.hooks = value;
    },
    spare: (value) => (value ? hookPlaces(value) : undefined),
    spareStart: (value, claimant) => (value ? routedHooks(value, claimant) : value),
  },
  runEnv: {
    launch: (value, draft) => Object.assign(draft.env, value),
  },
};

/** Calls `visit` for every option of the table, in launch order. */
export function eachOption(visit: OptionVisitor<void>): void {
  for (const name of Object.keys(CLAUDE_OPTIONS) as Array<keyof ClaudeLaunch>) visitOption(name, visit);
}

function visitOption<K extends keyof ClaudeLaunch>(name: K, visit: OptionVisitor<void>): void {
  const rule: OptionRule<ClaudeLaunch[K]> = CLAUDE_OPTIONS[name];
  visit(name, rule);
}

/** CLI flags whose value the SDK's initialize request carries as well (see `initializeFlag`). */
export function flagsCarriedByInitialize(): string[] {
  const flags: string[] = [];
  eachOption((_name, rule) => {
    if (rule.initializeFlag) flags.push(rule.initializeFlag);
  });
  return flags;
}

/** Per-run plumbing every launch brings its own of. */
export interface LaunchRuntime {
  abortController: AbortController;
  /** Absent: the SDK spawns Claude Code itself. */
  spawnClaudeCodeProcess?: Options['spawnClaudeCodeProcess'];
}

/** The Agent SDK options that launch Claude Code as `launch` describes. */
export function sdkOptions(launch: ClaudeLaunch, runtime: LaunchRuntime): Options {
  // A plain chat model: no CLAUDE.md or user/project settings, no slash commands, no other MCP config.
  const draft: LaunchDraft = {
    options: {
      settingSources: [],
      strictMcpConfig: true,
      includePartialMessages: true,
      verbatimPrompts: true,
    },
    env: {},
  };
  eachOption((name, rule) => rule.launch(launch[name], draft, launch));
  return { ...draft.options, env: draft.env, ...runtime };
}

// `snapshot: false`: Claude Code would otherwise record the first system prompt of a session and
// reuse it on every resume, ignoring a system message the client changed since.
function systemPromptOption(prompt: ClaudeLaunch['systemPrompt']): Options['systemPrompt'] {
  if (prompt.placement === 'append') {
    return {
      type: 'preset',
      preset: 'claude_code',
      snapshot: false,
      ...(prompt.text ? { append: prompt.text } : {}),
    };
  }
  return { type: 'custom', prompt: prompt.text, snapshot: false };
}

/** The run's extra body merged into the operator's own (`CLAUDE_CODE_EXTRA_BODY` in `env`), as Claude Code reads it. */
function extraBodyEnv(
  env: Readonly<Record<string, string>>,
  extraBody: ClaudeLaunch['extraBody'],
): string | undefined {
  const operators = env[EXTRA_BODY_ENV];
  if (!extraBody) return operators;
  let base: Record<string, unknown> = {};
  try {
    const parsed: unknown = operators ? JSON.parse(operators) : {};
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
      base = parsed as Record<string, unknown>;
  } catch {
    // Not JSON: Claude Code would ignore it too.
  }
  return JSON.stringify({ ...base, ...extraBody });
}

/** Hooks as plain data: each callback becomes a marker, so only events, matchers and counts count. */
function hookPlaces(hooks: Hooks): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(hooks).map(([event, matchers]) => [
      event,
      (matchers ?? []).map((matcher) => ({ ...matcher, hooks: matcher.hooks.map(() => 'callback') })),
    ]),
  );
}
