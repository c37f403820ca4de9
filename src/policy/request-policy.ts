import { ANY_TOOL, type KeyPolicy } from './key-policy.js';
import {
  agentModeNotAllowed,
  agentToolNotAllowed,
  agentToolsRequired,
  budgetExhausted,
  modelNotAllowed,
} from './policy-errors.js';

/**
 * Checks what a key asks for against what it may do. Reads the raw JSON body, before the route's own
 * validation: a malformed body is the route's 400 to give, so fields of the wrong type are skipped.
 * Throws the GatewayError the client should get.
 */
export function checkRequestPolicy(policy: KeyPolicy, body: unknown): void {
  if (!isRecord(body)) return;
  if (policy.models && typeof body.model === 'string' && !policy.models.includes(body.model)) {
    throw modelNotAllowed(body.model);
  }
  const agent = body.claude_code;
  if (agent === undefined || agent === null) return;
  const allowed = policy.agentTools;
  if (!allowed) throw agentModeNotAllowed();
  if (allowed.includes(ANY_TOOL)) return;
  const requested = isRecord(agent) ? agent.tools : undefined;
  if (!Array.isArray(requested)) throw agentToolsRequired(allowed);
  for (const tool of requested) {
    if (typeof tool === 'string' && !allowed.includes(tool)) throw agentToolNotAllowed(tool, allowed);
  }
}

/** Over budget once the recorded spend reaches it; a run in flight may overshoot by its own cost. */
export function checkBudget(policy: KeyPolicy, spentUsd: number): void {
  if (policy.budgetUsd !== undefined && spentUsd >= policy.budgetUsd) throw budgetExhausted(policy.budgetUsd);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
