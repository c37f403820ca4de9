import { realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { ConfigError } from '../contract/config-error.js';
import { GatewayError } from '../contract/gateway-error.js';
import type { AgentSettings } from '../contract/run-plan.js';
import { isInside } from '../engine/options/path-confinement.js';

export type AgentPermissionMode = AgentSettings['permissionMode'];

/**
 * What the server lets agent-mode requests do (AGENT_* settings). Per-key limits are
 * checked before planning by admission (core/admission); a caller that needs a narrower policy per request can
 * build one and pass it to `resolveAgentSettings`.
 */
export interface AgentPolicy {
  /** Real paths (symlinks resolved) of the directories a request's `cwd` may be in. */
  roots: readonly string[];
  tools: readonly string[];
  maxTurns: number;
  defaultPermissionMode: AgentPermissionMode;
  allowBypassPermissions: boolean;
  /** Upper bound (and default) for `max_budget_usd`; undefined: no bound. */
  maxBudgetUsd?: number;
}

export interface AgentConfig {
  AGENT_ALLOWED_ROOTS: readonly string[];
  AGENT_ALLOWED_TOOLS: readonly string[];
  AGENT_MAX_TURNS: number;
  AGENT_DEFAULT_PERMISSION_MODE: AgentPermissionMode;
  AGENT_ALLOW_BYPASS_PERMISSIONS: boolean;
  AGENT_MAX_BUDGET_USD?: number | undefined;
}

/** Builds the policy once at start; a root that does not exist is a configuration error. */
export function agentPolicyFromConfig(config: AgentConfig): AgentPolicy {
  const roots = config.AGENT_ALLOWED_ROOTS.map((root) => {
    if (!path.isAbsolute(root)) throw new ConfigError(`AGENT_ALLOWED_ROOTS: ${root} is not an absolute path`);
    try {
      return realpathSync.native(root);
    } catch {
      throw new ConfigError(`AGENT_ALLOWED_ROOTS: ${root} does not exist`);
    }
  });
  if (roots.length === 0)
    throw new ConfigError('AGENT_MODE=true needs at least one AGENT_ALLOWED_ROOTS entry');
  if (
    config.AGENT_DEFAULT_PERMISSION_MODE === 'bypassPermissions' &&
    !config.AGENT_ALLOW_BYPASS_PERMISSIONS
  ) {
    throw new ConfigError(
      'AGENT_DEFAULT_PERMISSION_MODE=bypassPermissions needs AGENT_ALLOW_BYPASS_PERMISSIONS=true',
    );
  }
  const policy: AgentPolicy = {
    roots,
    tools: [...config.AGENT_ALLOWED_TOOLS],
    maxTurns: config.AGENT_MAX_TURNS,
    defaultPermissionMode: config.AGENT_DEFAULT_PERMISSION_MODE,
    allowBypassPermissions: config.AGENT_ALLOW_BYPASS_PERMISSIONS,
  };
  if (config.AGENT_MAX_BUDGET_USD !== undefined) policy.maxBudgetUsd = config.AGENT_MAX_BUDGET_USD;
  return policy;
}

/**
 * The gateway's `claude_code` request extension, as every surface that offers agent mode takes it
 * (already validated for shape by the surface's schema).
 */
export interface AgentRequest {
  cwd?: string | undefined;
  tools?: readonly string[] | undefined;
  permission_mode?: AgentPermissionMode | undefined;
  max_turns?: number | undefined;
  max_budget_usd?: number | undefined;
}

/** A surface's `resolveAgent`: every request's `claude_code` checked against one policy. */
export function createAgentResolver(
  policy: AgentPolicy,
): (request: { claude_code?: AgentRequest | null | undefined }) => AgentSettings {
  return (request) => resolveAgentSettings(request.claude_code ?? {}, policy);
}

type AgentExtension = AgentRequest;

/** Turns the request's `claude_code` object into run settings, or throws the 400 the client should get. */
export function resolveAgentSettings(extension: AgentExtension, policy: AgentPolicy): AgentSettings {
  const settings: AgentSettings = {
    cwd: resolveCwd(extension.cwd, policy.roots),
    tools: resolveTools(extension.tools, policy.tools),
    permissionMode: resolvePermissionMode(extension.permission_mode, policy),
    maxTurns: bounded(extension.max_turns, policy.maxTurns, 'claude_code.max_turns'),
  };
  const budget =
    policy.maxBudgetUsd === undefined
      ? extension.max_budget_usd
      : bounded(extension.max_budget_usd, policy.maxBudgetUsd, 'claude_code.max_budget_usd');
  if (budget !== undefined) settings.maxBudgetUsd = budget;
  return settings;
}

function resolveCwd(cwd: string | undefined, roots: readonly string[]): string {
  if (cwd === undefined) {
    throw agentError('claude_code.cwd', 'agent_cwd_required', 'Agent mode needs claude_code.cwd.');
  }
  if (!path.isAbsolute(cwd)) {
    throw agentError('claude_code.cwd', 'agent_cwd_not_allowed', 'claude_code.cwd must be an absolute path.');
  }
  let real: string;
  try {
    // realpath resolves `..` and every symlink, so the check below sees where the run really is.
    real = realpathSync.native(cwd);
  } catch {
    throw agentError('claude_code.cwd', 'agent_cwd_not_found', 'claude_code.cwd does not exist.');
  }
  if (!roots.some((root) => isInside(real, root))) {
    throw agentError(
      'claude_code.cwd',
      'agent_cwd_not_allowed',
      'claude_code.cwd is outside the directories this gateway allows agents to work in.',
    );
  }
  if (!statSync(real).isDirectory()) {
    throw agentError('claude_code.cwd', 'agent_cwd_not_allowed', 'claude_code.cwd is not a directory.');
  }
  return real;
}

function resolveTools(requested: readonly string[] | undefined, allowed: readonly string[]): string[] {
  if (requested === undefined) return [...allowed];
  const refused = requested.filter((tool) => !allowed.includes(tool));
  if (refused.length > 0) {
    throw agentError(
      'claude_code.tools',
      'agent_tool_not_allowed',
      `Tool(s) not allowed on this gateway: ${refused.join(', ')}. Allowed: ${allowed.join(', ') || 'none'}.`,
    );
  }
  return [...new Set(requested)];
}

function resolvePermissionMode(
  requested: AgentPermissionMode | undefined,
  policy: AgentPolicy,
): AgentPermissionMode {
  const mode = requested ?? policy.defaultPermissionMode;
  if (mode === 'bypassPermissions' && !policy.allowBypassPermissions) {
    throw agentError(
      'claude_code.permission_mode',
      'agent_permission_mode_not_allowed',
      'permission_mode bypassPermissions is not allowed on this gateway.',
    );
  }
  return mode;
}

function bounded(requested: number | undefined, limit: number, param: string): number {
  if (requested === undefined) return limit;
  if (requested > limit) {
    throw agentError(param, 'agent_limit_exceeded', `${param} may be at most ${limit} on this gateway.`);
  }
  return requested;
}

function agentError(param: string, code: string, message: string): GatewayError {
  return new GatewayError({ status: 400, kind: 'invalid_request', param, code, message });
}
