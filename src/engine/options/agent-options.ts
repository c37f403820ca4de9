import type {
  CanUseTool,
  HookCallback,
  HookCallbackMatcher,
  PermissionResult,
} from '@anthropic-ai/claude-agent-sdk';
import type { AgentSettings } from '../../contract/run-plan.js';
import type { OtherOptions } from './claude-launch.js';
import { isInside, pathOutside, resolveReal } from './path-confinement.js';
import type { LaunchExtender } from './plan-launch.js';

const NO_BACKGROUND_TASKS_ENV = 'CLAUDE_CODE_DISABLE_BACKGROUND_TASKS';

/**
 * Agent mode's SDK options: the permission mode and limits the gateway's policy settled on, and the
 * gateway as the one that answers permission questions (there is nobody to prompt). A call is
 * allowed when it uses a tool enabled for the request and stays inside the working directory.
 */
export const agentOptions: LaunchExtender = (plan, launch) => {
  const agent = plan.agent;
  if (!agent) return launch;
  const sdk: OtherOptions = {
    ...launch.sdk,
    permissionMode: agent.permissionMode,
    maxTurns: agent.maxTurns,
    canUseTool: gatewayPermissionGate(agent, launch.sdk.canUseTool),
  };
  if (agent.maxBudgetUsd !== undefined) sdk.maxBudgetUsd = agent.maxBudgetUsd;
  if (agent.subagents) sdk.agents = agent.subagents;
  if (agent.skills) {
    // No MCP servers come with the owner's skills: the plugin folder is the gateway's own.
    sdk.plugins = [{ type: 'local', path: agent.skills.pluginDir, skipMcpDiscovery: true }];
    sdk.skills = agent.skills.names;
  }
  if (agent.permissionMode === 'bypassPermissions') sdk.allowDangerouslySkipPermissions = true;
  return {
    ...launch,
    sdk,
    hooks: {
      ...launch.hooks,
      PreToolUse: [...(launch.hooks?.PreToolUse ?? []), confinementHook(agent)],
    },
    // A run's answer includes all of its work: Claude Code would otherwise run subagents (and Bash
    // commands the model sends there) in the background, and report `result` before they end.
    runEnv: { ...launch.runEnv, ...agent.env, [NO_BACKGROUND_TASKS_ENV]: '1' },
  };
};

/**
 * Answers what Claude Code would ask a user. Tools that are not the agent's (client tools, for one)
 * go to the gate registered before this one, if any.
 */
function gatewayPermissionGate(agent: AgentSettings, previous: CanUseTool | undefined): CanUseTool {
  return async (toolName, input, context) => {
    if (!agent.tools.includes(toolName)) {
      return previous
        ? previous(toolName, input, context)
        : deny(`${toolName} is not enabled for this request.`);
    }
    const blocked = context.blockedPath;
    if (blocked !== undefined && !staysInside(blocked, agent.cwd)) {
      return deny(`${blocked} is outside the working directory this request may use.`);
    }
    const outside = pathOutside(input, agent.cwd);
    if (outside !== undefined)
      return deny(`${outside} is outside the working directory this request may use.`);
    return { behavior: 'allow', updatedInput: input };
  };
}

/** Runs before every tool call, whatever the permission mode, including calls Claude Code allows itself. */
function confinementHook(agent: AgentSettings): HookCallbackMatcher {
  const check: HookCallback = async (input) => {
    if (input.hook_event_name !== 'PreToolUse') return {};
    const reason = !agent.tools.includes(input.tool_name)
      ? undefined
      : pathOutside(input.tool_input, agent.cwd);
    if (reason === undefined) return {};
    return {
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        permissionDecision: 'deny',
        permissionDecisionReason: `${reason} is outside the working directory this request may use.`,
      },
    };
  };
  return { hooks: [check] };
}

function staysInside(candidate: string, cwd: string): boolean {
  const real = resolveReal(candidate, cwd);
  return real !== undefined && isInside(real, cwd);
}

function deny(message: string): PermissionResult {
  return { behavior: 'deny', message };
}
