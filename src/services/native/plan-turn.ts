import type { NativeMessage, NativeSessionRecord } from '../../contract/ports/native-sessions.js';
import type {
  AgentSettings,
  ClaudeContentBlock,
  ClaudeTurn,
  RunPlan,
  SystemPromptPlacement,
} from '../../contract/run-plan.js';
import { placeSystemPrompt } from '../../core/plan-conversation.js';
import { agentModeDisabled, modelNotFound } from './errors.js';

/** What a client asks a new session to be; every field is optional. */
export interface NewSession {
  model?: string | undefined;
  systemPrompt?: string | undefined;
  /** The last four are agent settings: allowed only under the server's and the key's agent rules. */
  maxTurns?: number | undefined;
  permissionMode?: AgentSettings['permissionMode'] | undefined;
  cwd?: string | undefined;
  tools?: string[] | undefined;
}

/** Agent settings as a native client names them (camelCase); the server's agent rules decide. */
export interface NativeAgentRequest {
  cwd?: string;
  tools?: string[];
  permissionMode?: AgentSettings['permissionMode'];
  maxTurns?: number;
}

export interface NativePlanContext {
  /** The served model id for a client's model name, or undefined when it is not served. */
  resolveModel(name: string): string | undefined;
  /** Whether a key allowed `allowed` may use the model `requested` (aliases and full names alike). */
  allows(allowed: readonly string[], requested: string): boolean;
  /** What a session without `model` uses. */
  defaultModel: string;
  systemPromptPlacement: SystemPromptPlacement;
  /**
   * Checks agent settings against the same rules as chat's `claude_code` extension (throws the 400,
   * with `param` in native terms); absent when the server does not offer agent mode.
   */
  resolveAgent?: (request: NativeAgentRequest) => AgentSettings;
}

const AGENT_FIELDS = ['cwd', 'tools', 'permissionMode', 'maxTurns'] as const;

/** What a new session is: its model and its agent settings, checked once, at creation. */
export function planSession(
  body: NewSession,
  context: NativePlanContext,
): Pick<NativeSessionRecord, 'model' | 'systemPrompt' | 'agent'> {
  const model = body.model ?? context.defaultModel;
  if (context.resolveModel(model) === undefined) throw modelNotFound(model);
  const session: Pick<NativeSessionRecord, 'model' | 'systemPrompt' | 'agent'> = { model };
  if (body.systemPrompt !== undefined && body.systemPrompt !== '') session.systemPrompt = body.systemPrompt;
  const asked = AGENT_FIELDS.filter((field) => body[field] !== undefined);
  if (asked.length > 0) {
    if (!context.resolveAgent) throw agentModeDisabled(asked[0] ?? 'cwd');
    const request: NativeAgentRequest = {};
    if (body.cwd !== undefined) request.cwd = body.cwd;
    if (body.tools !== undefined) request.tools = body.tools;
    if (body.permissionMode !== undefined) request.permissionMode = body.permissionMode;
    if (body.maxTurns !== undefined) request.maxTurns = body.maxTurns;
    session.agent = context.resolveAgent(request);
  }
  return session;
}

/**
 * One native turn as a neutral plan. The session's stored messages become the plan's history, so
 * the core's session tracker (keyed by the native session id as conversation id) resumes the Claude
 * Code session that already holds them, or rebuilds it from them after a restart or an eviction.
 */
export function planTurn(
  session: NativeSessionRecord,
  messages: readonly NativeMessage[],
  prompt: string,
  context: NativePlanContext,
): RunPlan {
  const model = context.resolveModel(session.model);
  if (model === undefined) throw modelNotFound(session.model);
  const history: ClaudeTurn[] = messages.map((message) => ({
    role: message.role,
    content: [text(message.content)],
  }));
  const plan: RunPlan = { model, history, prompt: [text(prompt)], thinking: 'disabled', clientTools: [] };
  placeSystemPrompt(plan, session.systemPrompt, context.systemPromptPlacement);
  if (session.agent) plan.agent = { ...session.agent, tools: [...session.agent.tools] };
  return plan;
}

function text(value: string): ClaudeContentBlock {
  return { type: 'text', text: value };
}
