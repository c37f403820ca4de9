import { GatewayError } from '../../contract/gateway-error.js';
import type { AgentSettings } from '../../contract/run-plan.js';
import { type AgentPolicy, resolveAgentSettings } from '../../core/agent-policy.js';
import type { NativeAgentRequest } from './plan-turn.js';

/** Chat's `claude_code.*` names and the native API's names for the same agent settings. */
const NATIVE_NAMES: ReadonlyArray<[string, string]> = [
  ['claude_code.permission_mode', 'permissionMode'],
  ['claude_code.max_turns', 'maxTurns'],
  ['claude_code.max_budget_usd', 'maxBudgetUsd'],
  ['claude_code.cwd', 'cwd'],
  ['claude_code.tools', 'tools'],
  ['permission_mode', 'permissionMode'],
];

/**
 * Native agent settings go through exactly the rules of chat's `claude_code` extension (one policy,
 * one implementation); only the names in a refusal are translated into this API's own.
 */
export function nativeAgentResolver(policy: AgentPolicy): (request: NativeAgentRequest) => AgentSettings {
  return (request) => {
    const extension: Parameters<typeof resolveAgentSettings>[0] = {};
    if (request.cwd !== undefined) extension.cwd = request.cwd;
    if (request.tools !== undefined) extension.tools = request.tools;
    if (request.permissionMode !== undefined) extension.permission_mode = request.permissionMode;
    if (request.maxTurns !== undefined) extension.max_turns = request.maxTurns;
    try {
      return resolveAgentSettings(extension, policy);
    } catch (error) {
      throw inNativeTerms(error);
    }
  };
}

function inNativeTerms(error: unknown): unknown {
  if (!(error instanceof Error) || !('status' in error) || error.status !== 400) return error;
  const param = 'param' in error && typeof error.param === 'string' ? error.param : null;
  const code = 'code' in error && typeof error.code === 'string' ? error.code : 'invalid_request';
  return new GatewayError({
    kind: 'invalid_request',
    status: 400,
    code,
    param: param === null ? null : rename(param),
    message: rename(error.message),
  });
}

function rename(text: string): string {
  return NATIVE_NAMES.reduce((renamed, [chat, native]) => renamed.replaceAll(chat, native), text);
}
