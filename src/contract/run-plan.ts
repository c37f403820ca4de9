/**
 * A Claude Code run described in Claude's own terms: each surface's `to-plan` builds it from its wire
 * request; the engine executes it. Nothing here knows any wire.
 */

export type ImageSource = { type: 'base64'; media_type: string; data: string } | { type: 'url'; url: string };

export type DocumentSource =
  | { type: 'base64'; media_type: 'application/pdf'; data: string }
  | { type: 'text'; media_type: 'text/plain'; data: string };

export type ClaudeContentBlock =
  | { type: 'text'; text: string }
  | { type: 'image'; source: ImageSource }
  | { type: 'document'; source: DocumentSource; title?: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> }
  | {
      type: 'tool_result';
      tool_use_id: string;
      content: Array<{ type: 'text'; text: string } | { type: 'image'; source: ImageSource }>;
      is_error?: boolean;
    };

export interface ClaudeTurn {
  role: 'user' | 'assistant';
  content: ClaudeContentBlock[];
}

export type EffortLevel = 'low' | 'medium' | 'high' | 'xhigh' | 'max';

/** Where the client's system text goes; see docs/openai-chat.md for why a user might want each. */
export type SystemPromptPlacement = 'replace' | 'append' | 'first-user-turn';

export interface ClientToolDefinition {
  name: string;
  description: string;
  inputSchema: Record<string, unknown>;
}

/**
 * How the model may use the client's tools (OpenAI `tool_choice` and `parallel_tool_calls`).
 * `choice` is `auto`, `none`, `required` (at least one call) or the one tool it must call.
 */
export interface ClientToolPolicy {
  choice: 'auto' | 'none' | 'required' | { name: string };
  parallel: boolean;
}

export interface AgentSettings {
  cwd: string;
  tools: string[];
  permissionMode: 'default' | 'acceptEdits' | 'plan' | 'dontAsk' | 'bypassPermissions';
  maxTurns: number;
  maxBudgetUsd?: number;
  /** Subagents the run may delegate to (the Agent tool); their tool calls pass the same gate. */
  subagents?: Record<string, SubagentDefinition>;
  /** Skills the run may use, as Claude Code names them, and the plugin folder that provides them. */
  skills?: { names: string[]; pluginDir: string };
  /** Extra environment variables for the Claude Code process (operator-allowlisted names only). */
  env?: Record<string, string>;
}

export interface SubagentDefinition {
  description: string;
  prompt: string;
  tools?: string[];
  model?: string;
}

export interface RunPlan {
  model: string;
  /**
   * System text for the CLI; absent means an empty system prompt. `append` with empty text keeps
   * Claude Code's own prompt untouched (used when the client's text goes into the first user turn).
   */
  systemPrompt?: { text: string; placement: 'replace' | 'append' };
  /** Earlier turns, alternating and starting with a user turn; the CLI resumes them as real turns. */
  history: ClaudeTurn[];
  /** The new user turn: text, images, documents or tool results. */
  prompt: ClaudeContentBlock[];
  maxOutputTokens?: number;
  /** The answer text ends before the first of these (applied by the gateway; absent or non-empty). */
  stopSequences?: string[];
  effort?: EffortLevel;
  thinking: 'disabled' | 'default';
  outputSchema?: Record<string, unknown>;
  clientTools: ClientToolDefinition[];
  /** Absent: `auto` with parallel calls, as OpenAI defaults. */
  clientToolPolicy?: ClientToolPolicy;
  agent?: AgentSettings;
  /**
   * The gateway-tracked Claude Code session this run belongs to (multi-turn fidelity).
   * `continues: true` means the session already holds `history` and only `prompt` is new: it is
   * resumed (or its live process reused) instead of rebuilt from a transcript.
   */
  session?: TrackedSession;
}

/** A gateway-tracked Claude Code session as a run finds it (see `RunPlan.session`). */
export interface TrackedSession {
  id: string;
  /** It already holds the conversation up to the request's history: the run resumes it. */
  continues: boolean;
  /**
   * The pooled account (ACCOUNTS_FILE name) its last turn ran under, when it continues: the
   * conversation stays there while that account is usable (moving it loses the prompt cache).
   */
  account?: string;
  /**
   * Turns committed to the session so far, where several gateways share it (the shared index's
   * head): a process one gateway kept from an earlier turn holds the session only as it was then,
   * so it may serve this run only if no other turn was committed since (it holds exactly this
   * version). A completed run leaves the session at `version + 1`. Absent where one gateway holds
   * every session (its own index): a process it kept is always current.
   */
  version?: number;
}
