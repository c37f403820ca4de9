import { ANY_TOOL, type KeyPolicy } from '../../contract/key-policy.js';
import {
  agentModeNotAllowed,
  agentToolNotAllowed,
  agentToolsRequired,
  budgetExhausted,
  modelNotAllowed,
} from '../../contract/policy-errors.js';

/** The key's word on a model, as the client named it. Throws the 403 the client should get. */
export function checkModel(policy: KeyPolicy, model: string): void {
  if (policy.models && !policy.models.includes(model)) throw modelNotAllowed(model);
}

/**
 * The key's word on an agent run's tools (`params` name the fields in the surface's terms).
 * `requested` undefined: the run asks for every tool, which only an any-tool key may.
 */
export function checkAgentTools(
  policy: KeyPolicy,
  requested: readonly string[] | undefined,
  params: { mode: string; tools: string },
): void {
  const allowed = policy.agentTools;
  if (!allowed) throw agentModeNotAllowed(params.mode);
  if (allowed.includes(ANY_TOOL)) return;
  if (requested === undefined) throw agentToolsRequired(allowed, params.tools);
  for (const tool of requested) {
    if (!allowed.includes(tool)) throw agentToolNotAllowed(tool, allowed, params.tools);
  }
}

/** Over budget once the recorded spend reaches it; a run in flight may overshoot by its own cost. */
export function checkBudget(policy: KeyPolicy, spentUsd: number): void {
  if (policy.budgetUsd !== undefined && spentUsd >= policy.budgetUsd) throw budgetExhausted(policy.budgetUsd);
}
