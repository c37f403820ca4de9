import { ANY_TOOL, type KeyPolicy } from '../../contract/key-policy.js';
import {
  agentModeNotAllowed,
  agentToolNotAllowed,
  agentToolsRequired,
  budgetExhausted,
  modelNotAllowed,
} from '../../contract/policy-errors.js';
import { formatUsd } from '../../util/round-usd.js';
import type { ModelCatalog } from '../model-catalog.js';
import { nextPeriodStart } from './budget-period.js';

/** How an allow-list is matched: through the model catalog, so an alias and its full name are one model. */
export type ModelMatcher = Pick<ModelCatalog, 'allows'>;

/** The key's word on a model, as the client named it. Throws the 403 the client should get. */
export function checkModel(policy: KeyPolicy, model: string, models: ModelMatcher): void {
  if (policy.models && !models.allows(policy.models, model)) throw modelNotAllowed(model);
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

/**
 * Over budget once the recorded spend reaches it; a run in flight may overshoot by its own cost.
 * `spentUsd` is the spend of the budget's current period for a periodic budget.
 */
export function checkBudget(policy: KeyPolicy, spentUsd: number, now: number): void {
  if (policy.budgetUsd === undefined || spentUsd < policy.budgetUsd) return;
  const { budgetPeriod } = policy;
  if (budgetPeriod === undefined) throw budgetExhausted(formatUsd(policy.budgetUsd));
  throw budgetExhausted(
    `${formatUsd(policy.budgetUsd)} a ${budgetPeriod}`,
    nextPeriodStart(budgetPeriod, now),
  );
}
