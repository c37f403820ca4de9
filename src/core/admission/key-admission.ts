import type { Admit } from '../../contract/admission.js';
import type { Principal } from '../../contract/key-policy.js';
import type { ConcurrencyLimiter } from './key-concurrency.js';
import { checkAgentTools, checkBudget, checkModel } from './request-policy.js';

export interface KeyAdmissionDeps {
  /** Counts one request of the key in its requests-per-minute window; throws the 429 once over. */
  countRequest(principal: Principal): Promise<void>;
  /** One count of running runs per key, whatever surface they came in on (shared on PostgreSQL). */
  concurrency: ConcurrencyLimiter;
  /** The key's recorded spend, read from the store every gateway charges (0 outside the store). */
  spentUsd(principal: Principal): Promise<number>;
}

/**
 * A key's policy on one run, in the order a client can act on: what it may use (model, agent
 * tools: 403), then how much (requests per minute, budget, concurrent runs: 429). The admission
 * holds the run slot until the run gives it back.
 */
export function createKeyAdmission(deps: KeyAdmissionDeps): Admit {
  return async (principal, ask) => {
    const { policy } = principal;
    checkModel(policy, ask.model);
    if (ask.agent) {
      checkAgentTools(policy, ask.agent.tools, { mode: ask.agent.modeParam, tools: ask.agent.toolsParam });
    }
    if (ask.countRequest) await deps.countRequest(principal);
    checkBudget(policy, await deps.spentUsd(principal));
    const release = await deps.concurrency.acquire(principal.id, policy.concurrency);
    let released = false;
    return {
      release() {
        if (released) return;
        released = true;
        release();
      },
    };
  };
}
