import type { AgentSettings } from '../../claude/run-plan.js';
import { GatewayError } from '../../core/gateway-error.js';
import { ANY_TOOL, type KeyPolicy } from '../../policy/key-policy.js';

/**
 * A key's model and agent limits for a session: checked when it is created (so a client learns at
 * once that it could never run) and again before every turn (the key's policy may have changed).
 */
export function checkKeyMayUse(policy: KeyPolicy, session: { model: string; agent?: AgentSettings }): void {
  if (policy.models && !policy.models.includes(session.model)) {
    throw forbidden('model', 'model_not_allowed', `This API key may not use the model '${session.model}'.`);
  }
  if (!session.agent) return;
  const allowed = policy.agentTools;
  if (!allowed) {
    throw forbidden('cwd', 'agent_mode_not_allowed', 'This API key may not use agent settings (agent mode).');
  }
  if (allowed.includes(ANY_TOOL)) return;
  const refused = session.agent.tools.filter((tool) => !allowed.includes(tool));
  if (refused.length > 0) {
    throw forbidden(
      'tools',
      'tool_not_allowed',
      `This API key may not use the tool(s) ${refused.join(', ')}; allowed: ${allowed.join(', ')}.`,
    );
  }
}

function forbidden(param: string, code: string, message: string): GatewayError {
  return new GatewayError({ kind: 'permission', status: 403, code, param, message });
}
