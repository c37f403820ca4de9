import type { NativeMessage, NativeSessionRecord } from '../../contract/ports/native-sessions.js';
import type {
  AgentSettings,
  ClaudeContentBlock,
  ClaudeTurn,
  RunPlan,
  SystemPromptPlacement,
} from '../../contract/run-plan.js';
import { agentModeDisabled, modelNotFound } from './errors.js';
import type { CreateSessionBody } from './schema.js';

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
  body: CreateSessionBody,
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
export function toRunPlan(
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
  const promptBlocks: ClaudeContentBlock[] = [text(prompt)];
  const plan: RunPlan = { model, history, prompt: promptBlocks, thinking: 'disabled', clientTools: [] };
  const system = session.systemPrompt;
  if (context.systemPromptPlacement === 'first-user-turn') {
    // As on the chat surface: Claude Code's own system prompt stays, the client's text leads the talk.
    plan.systemPrompt = { text: '', placement: 'append' };
    if (system !== undefined) {
      const firstUser = history[0] ?? { role: 'user', content: promptBlocks };
      firstUser.content.unshift(text(`<instructions>\n${system}\n</instructions>`));
    }
  } else if (system !== undefined) {
    plan.systemPrompt = { text: system, placement: context.systemPromptPlacement };
  }
  if (session.agent) plan.agent = { ...session.agent, tools: [...session.agent.tools] };
  return plan;
}

function text(value: string): ClaudeContentBlock {
  return { type: 'text', text: value };
}
