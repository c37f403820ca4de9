import type { McpSdkServerConfigWithInstance, Options, SessionStore } from '@anthropic-ai/claude-agent-sdk';
import type { EffortLevel } from '../../contract/run-plan.js';

export type Hooks = NonNullable<Options['hooks']>;

/**
 * Which conversation a process holds. `version` is a tracked session's version as the run finds it,
 * where several gateways share the session (`RunPlan.session.version`): a kept process serves the
 * session's next turn only if it left the session at the version that turn finds.
 */
export type LaunchConversation =
  /** A new one; recorded under `sessionId` when the gateway tracks it, else not recorded at all. */
  | { kind: 'new'; sessionId?: string; version?: number }
  /** A tracked session that already holds the history: resumed, and recorded on. */
  | { kind: 'continue'; sessionId: string; version?: number }
  /** A history written as a transcript for this run and resumed; recorded on when the session is tracked. */
  | { kind: 'rebuild'; sessionId: string; record: boolean; version?: number };

/** SDK options that no row below names: launched as they are, and part of every key as plain data. */
export type OtherOptions = Omit<
  Options,
  | 'abortController'
  | 'spawnClaudeCodeProcess'
  | 'pathToClaudeCodeExecutable'
  | 'env'
  | 'model'
  | 'cwd'
  | 'resume'
  | 'sessionId'
  | 'persistSession'
  | 'sessionStore'
  | 'systemPrompt'
  | 'effort'
  | 'thinking'
  | 'outputFormat'
  | 'hooks'
>;

/**
 * What a run asks of Claude Code, option by option, with the plan's own values (built by
 * `LaunchPlanner`, extended per concern). How each becomes a launch, a key or a claim is the table
 * in claude-options.ts.
 */
export interface ClaudeLaunch {
  sdk: OtherOptions;
  /** Which Claude Code; undefined: the one bundled with the Agent SDK. */
  claudeCodePath: string | undefined;
  /**
   * The process environment the gateway gives every run: the credentials it runs under and the
   * gateway's settings. Part of every key, so a process only ever serves runs of its own account.
   */
  env: Readonly<Record<string, string>>;
  /**
   * The pooled account (ACCOUNTS_FILE name) whose credentials `env` carries; undefined: the gateway's
   * own. Part of every key as well, so a process is never reused under another account.
   */
  account: string | undefined;
  model: string;
  cwd: string;
  conversation: LaunchConversation;
  /** Where a tracked session's transcript is copied as Claude Code writes it; undefined: nowhere. */
  transcriptMirror: TranscriptMirror | undefined;
  /** `replace`: Claude Code's prompt is this text; `append`: its own prompt, this text after it. */
  systemPrompt: { placement: 'replace' | 'append'; text: string };
  effort: EffortLevel | undefined;
  thinking: 'disabled' | 'default';
  maxOutputTokens: number | undefined;
  /** Fields Claude Code adds to every Messages API request (the client tools' `tool_choice`). */
  extraBody: Readonly<Record<string, unknown>> | undefined;
  outputSchema: Record<string, unknown> | undefined;
  /** Carry on the turn a transcript's unanswered tool calls left open (client-tool-continuation.ts). */
  continueInterruptedTurn: boolean;
  /** Hold the start until the SDK's initialize request (which registers in-process servers, hooks, ...). */
  awaitInitialize: boolean;
  /** MCP servers that live in the gateway (the client's tools): code, handed to a process per run. */
  inProcessServers: Readonly<Record<string, McpSdkServerConfigWithInstance>>;
  hooks: Hooks | undefined;
  /** Variables the run adds to the environment, over everything else (agent or task settings). */
  runEnv: Readonly<Record<string, string>>;
}

/**
 * A store every gateway on a shared database reads transcripts from (the Agent SDK's `sessionStore`:
 * it copies each line Claude Code writes, and a resume loads the session from it).
 */
export interface TranscriptMirror {
  /** What keys a process by: launches that mirror under the same name mirror to the same place. */
  name: string;
  store: SessionStore;
}

/** The session id a process of this launch records a new conversation under, if any. */
export function newSessionIdOf(launch: ClaudeLaunch): string | undefined {
  return launch.conversation.kind === 'new' ? launch.conversation.sessionId : undefined;
}

/** The gateway-tracked session a process of this launch serves, if any. */
export function trackedSessionIdOf(launch: ClaudeLaunch): string | undefined {
  return recordsConversation(launch.conversation) ? launch.conversation.sessionId : undefined;
}

/** Whether a process of this conversation records it (for the gateway's session store). */
export function recordsConversation(conversation: LaunchConversation): boolean {
  if (conversation.kind === 'new') return conversation.sessionId !== undefined;
  return conversation.kind === 'continue' || conversation.record;
}

/** The version a completed run of this launch leaves its tracked session at (one turn more). */
export function versionAfterTurn(conversation: LaunchConversation): number | undefined {
  return conversation.version === undefined ? undefined : conversation.version + 1;
}
