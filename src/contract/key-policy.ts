/**
 * Where chat completions put Claude's thinking: `reasoning_content` (DeepSeek's name, read by the AI
 * SDK, LangChain, LiteLLM, Open WebUI), `reasoning` (vLLM, OpenRouter, gpt-oss), or both.
 */
export type ReasoningField = 'reasoning_content' | 'reasoning' | 'both';
export const REASONING_FIELDS: readonly ReasoningField[] = ['reasoning_content', 'reasoning', 'both'];

export function isReasoningField(value: unknown): value is ReasoningField {
  return REASONING_FIELDS.includes(value as ReasoningField);
}

/** What one API key may do. An absent limit means "no limit". */
export interface KeyPolicy {
  /** Chat requests per minute. */
  rpm?: number;
  /** Chat requests running at the same time. */
  concurrency?: number;
  /** Total spend allowed, summed from Claude Code's reported cost. */
  budgetUsd?: number;
  /** Model ids the key may request, exactly as clients send them; absent: every served model. */
  models?: readonly string[];
  /**
   * Claude Code tools the key may use in agent mode (`claude_code` in the request body).
   * Absent: agent mode is refused. `['*']`: any tool.
   */
  agentTools?: readonly string[];
  /**
   * The permission profile the key was made with (src/core/admission/profiles.ts): its task limits (agents,
   * skills, timeouts, turns) apply by name. Absent: no profile, only the limits above.
   */
  profile?: string;
  /**
   * The Claude accounts (ACCOUNTS_FILE names) the key's runs may use, so one team's key never spends
   * another team's subscription. Absent: every account.
   */
  accounts?: readonly string[];
  /** Where chat completions put Claude's thinking for this key's clients; absent: the gateway's default. */
  reasoningField?: ReasoningField;
}

export const ANY_TOOL = '*';

/** Keys from the environment belong to the owner: every model, every tool, no limits. */
export const UNRESTRICTED_POLICY: KeyPolicy = { agentTools: [ANY_TOOL] };

/** The caller a request was authenticated as. */
export interface Principal {
  /** Stable, not secret: recorded in the audit log and used as the rate-limit key. */
  id: string;
  name: string;
  admin: boolean;
  /** Budget is tracked only for keys that live in the store. */
  source: 'store' | 'env' | 'anonymous';
  policy: KeyPolicy;
}
