import type { RunAsk } from '../../contract/admission.js';
import { invalidRequest, modelNotFound } from '../../contract/errors.js';
import { GatewayError } from '../../contract/gateway-error.js';
import type { KeyPolicy } from '../../contract/key-policy.js';
import type { RunPlan, SubagentDefinition } from '../../contract/run-plan.js';
import type { PermissionProfile } from '../../core/admission/profiles.js';
import { profileAllows } from '../../core/admission/profiles.js';
import { type AgentPolicy, resolveAgentSettings } from '../../core/agent-policy.js';
import type { ModelCatalog } from '../../core/model-catalog.js';
import type { HomeAgent, HomeSkill } from './claude-home.js';
import { SKILLS_PLUGIN_NAME } from './skills-plugin.js';

/** A job for Claude Code, in the native API's terms (camelCase, top-level fields). */
export interface TaskRequest {
  prompt: string;
  /** Absolute path inside AGENT_ALLOWED_ROOTS. */
  cwd: string;
  /** Claude Code tools; absent: every tool the key and the gateway allow. */
  tools?: string[] | undefined;
  /** Subagents from CLAUDE_HOME the task may delegate to. */
  agents?: string[] | undefined;
  /** Skills from CLAUDE_HOME the task may use. */
  skills?: string[] | undefined;
  model?: string | undefined;
  maxTurns?: number | undefined;
  /** Seconds. */
  timeout?: number | undefined;
  maxBudgetUsd?: number | undefined;
}

export interface TaskPlanContext {
  models: ModelCatalog;
  /** The model a task runs on when it names none. */
  defaultModel: string;
  /** AGENT_* settings; absent: the gateway does not run agents at all. */
  agentPolicy?: AgentPolicy;
  /** REQUEST_TIMEOUT_MS: no task runs longer. */
  requestTimeoutMs: number;
}

/** What the caller may use, from its key (absent: auth is off on loopback, the owner's own use). */
export interface TaskCaller {
  policy?: KeyPolicy;
  /** The key's permission profile, when it has one. */
  profile?: PermissionProfile;
}

/** The owner's subagents and skills (CLAUDE_HOME), empty when it is not configured. */
export interface TaskHome {
  agents: readonly HomeAgent[];
  skills: readonly HomeSkill[];
  /** The plugin folder that serves the skills to Claude Code (services/tasks/skills-plugin.ts). */
  skillsPluginDir?: string;
}

export interface TaskPlan {
  plan: RunPlan;
  timeoutMs: number;
  skills: string[];
}

/** The gateway's agent-mode param names, in this surface's (camelCase, top-level) terms. */
const PARAM_NAMES: Record<string, string> = {
  'claude_code.cwd': 'cwd',
  'claude_code.tools': 'tools',
  'claude_code.max_turns': 'maxTurns',
  'claude_code.max_budget_usd': 'maxBudgetUsd',
  'claude_code.permission_mode': 'permissionMode',
};

/**
 * A task as admission sees it: its model, and the tools it names or else every tool its key may use
 * on this gateway (a task never has to list them).
 */
export function taskAsk(
  request: TaskRequest,
  policy: KeyPolicy | undefined,
  context: TaskPlanContext,
): RunAsk {
  const gatewayTools = context.agentPolicy?.tools ?? [];
  return {
    model: request.model ?? context.defaultModel,
    agent: {
      tools: request.tools ?? (policy ? keyToolsWithin(policy, gatewayTools) : [...gatewayTools]),
      modeParam: 'tools',
      toolsParam: 'tools',
    },
  };
}

/**
 * A task as a run plan: the agent rules of `claude_code` mode (cwd confinement, AGENT_* limits)
 * reused as they are, narrowed by the caller's key and profile. Throws the 4xx the client gets.
 */
export function toTaskPlan(
  request: TaskRequest,
  caller: TaskCaller,
  home: TaskHome,
  context: TaskPlanContext,
): TaskPlan {
  const agentPolicy = context.agentPolicy;
  if (!agentPolicy) {
    throw new GatewayError({
      status: 403,
      kind: 'permission',
      code: 'agent_mode_disabled',
      message: 'This gateway does not run agentic tasks (AGENT_MODE is off).',
    });
  }
  const requestedModel = request.model ?? context.defaultModel;
  const model = context.models.resolve(requestedModel);
  if (model === undefined) throw modelNotFound(requestedModel);
  const { policy, profile } = caller;

  const subagents = resolveSubagents(request.agents ?? [], home.agents, caller);
  const skills = resolveSkills(request.skills ?? [], home.skills, caller);
  const narrowed: AgentPolicy = {
    ...agentPolicy,
    tools: policy ? keyToolsWithin(policy, agentPolicy.tools) : agentPolicy.tools,
    maxTurns: Math.min(agentPolicy.maxTurns, profile?.maxTurns ?? Infinity),
  };
  const settings = renamingParams(() =>
    resolveAgentSettings(
      {
        cwd: request.cwd,
        ...(request.tools ? { tools: request.tools } : {}),
        ...(request.maxTurns !== undefined ? { max_turns: request.maxTurns } : {}),
        ...(request.maxBudgetUsd !== undefined ? { max_budget_usd: request.maxBudgetUsd } : {}),
      },
      narrowed,
    ),
  );
  if (Object.keys(subagents).length > 0) {
    // Delegating is a tool call too; the subagents' own calls pass the same gate and confinement.
    if (!settings.tools.includes('Agent')) settings.tools.push('Agent');
    settings.subagents = subagents;
  }
  if (skills.length > 0 && home.skillsPluginDir) {
    if (!settings.tools.includes('Skill')) settings.tools.push('Skill');
    settings.skills = {
      names: skills.map((name) => `${SKILLS_PLUGIN_NAME}:${name}`),
      pluginDir: home.skillsPluginDir,
    };
  }
  return {
    plan: {
      model,
      // Claude Code's own agentic system prompt, untouched.
      systemPrompt: { text: '', placement: 'append' },
      history: [],
      prompt: [{ type: 'text', text: request.prompt }],
      thinking: 'disabled',
      clientTools: [],
      agent: settings,
    },
    timeoutMs: taskTimeoutMs(request.timeout, profile, context.requestTimeoutMs),
    skills,
  };
}

/** Seconds asked for, bounded by the profile and the gateway; the profile's default when absent. */
export function taskTimeoutMs(
  requestedSeconds: number | undefined,
  profile: PermissionProfile | undefined,
  requestTimeoutMs: number,
): number {
  const maxMs = Math.min(requestTimeoutMs, (profile?.maxTimeoutSeconds ?? Infinity) * 1000);
  if (requestedSeconds !== undefined) {
    if (requestedSeconds * 1000 > maxMs) {
      throw invalidRequest(
        `timeout may be at most ${maxMs / 1000} seconds for this key.`,
        'timeout',
        'timeout_too_long',
      );
    }
    return requestedSeconds * 1000;
  }
  return Math.min(maxMs, (profile?.defaultTimeoutSeconds ?? Infinity) * 1000);
}

function keyToolsWithin(policy: KeyPolicy, gatewayTools: readonly string[]): string[] {
  const keyTools = policy.agentTools ?? [];
  return keyTools.includes('*') ? [...gatewayTools] : gatewayTools.filter((tool) => keyTools.includes(tool));
}

/** Agents and skills: a profile lists them; a key without one may use them only with any-tool rights. */
export function mayUse(caller: TaskCaller, kind: 'agents' | 'skills', name: string): boolean {
  if (!caller.policy) return true;
  if (caller.profile) return profileAllows(caller.profile[kind], name);
  return caller.policy.agentTools?.includes('*') ?? false;
}

function resolveSubagents(
  names: readonly string[],
  available: readonly HomeAgent[],
  caller: TaskCaller,
): Record<string, SubagentDefinition> {
  const subagents: Record<string, SubagentDefinition> = {};
  for (const [index, name] of names.entries()) {
    const agent = available.find((candidate) => candidate.name === name);
    if (!agent || !mayUse(caller, 'agents', name))
      throw unknownOrRefused('agent', name, `agents[${index}]`, !agent);
    subagents[name] = {
      description: agent.description,
      prompt: agent.prompt,
      ...(agent.tools ? { tools: agent.tools } : {}),
      ...(agent.model ? { model: agent.model } : {}),
    };
  }
  return subagents;
}

function resolveSkills(
  names: readonly string[],
  available: readonly HomeSkill[],
  caller: TaskCaller,
): string[] {
  for (const [index, name] of names.entries()) {
    const known = available.some((skill) => skill.name === name);
    if (!known || !mayUse(caller, 'skills', name))
      throw unknownOrRefused('skill', name, `skills[${index}]`, !known);
  }
  return uniqueNames(names);
}

/** Skills named twice are one skill. */
export function uniqueNames(names: readonly string[]): string[] {
  return [...new Set(names)];
}

function unknownOrRefused(
  kind: 'agent' | 'skill',
  name: string,
  param: string,
  unknown: boolean,
): GatewayError {
  return unknown
    ? new GatewayError({
        status: 404,
        kind: 'not_found',
        param,
        code: `${kind}_not_found`,
        message: `No ${kind} named '${name}' is available on this gateway.`,
      })
    : new GatewayError({
        status: 403,
        kind: 'permission',
        param,
        code: `${kind}_not_allowed`,
        message: `This API key may not use the ${kind} '${name}'.`,
      });
}

/** The agent rules speak `claude_code.*`; this surface's clients sent top-level camelCase fields. */
function renamingParams<T>(resolve: () => T): T {
  try {
    return resolve();
  } catch (error) {
    if (!(error instanceof GatewayError) || error.param === null) throw error;
    const param = PARAM_NAMES[error.param] ?? error.param;
    throw new GatewayError({
      kind: error.kind,
      status: error.status,
      code: error.code,
      param,
      message: error.message.replaceAll(error.param, param),
    });
  }
}
