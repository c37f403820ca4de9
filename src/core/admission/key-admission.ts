import type { Admit } from '../../contract/admission.js';
import type { Principal } from '../../contract/key-policy.js';
import type { ConcurrencyLimiter } from './key-concurrency.js';
import { checkAgentTools, checkBudget, checkModel, type ModelMatcher } from './request-policy.js';
import type { RequestsPerMinute } from './requests-per-minute.js';

export interface KeyAdmissionDeps {
  /** Matches a key's allowed models against the one asked for (aliases and full names alike). */
  models: ModelMatcher;
  /** Counts the run in the key's requests-per-minute window (shared by every gateway when they share a store). */
  requestsPerMinute: RequestsPerMinute;
  /** One count of running runs per key, whatever surface they came in on (shared on PostgreSQL). */
  concurrency: ConcurrencyLimiter;
  /**
   * The key's recorded spend counted against its budget (of the current period for a periodic
   * budget), read from the store every gateway charges (0 outside the store).
   */
  spentUsd(principal: Principal): Promise<number>;
  now?: () => number;
}

/**
 * A key's policy on one run, whatever surface or transport it came in on, in the order a client can
 * act on: what it may use (model, agent tools: 403), then how much (budget, concurrent runs, requests
 * per minute: 429). The run is counted against requests per minute last, so a run refused for any
 * other reason does not use up the key's minute. The admission holds the run slot until the run
 * gives it back.
 */
export function createKeyAdmission(deps: KeyAdmissionDeps): Admit {
  return async (principal, ask) => {
    const { policy } = principal;
    checkModel(policy, ask.model, deps.models);
    if (ask.agent) {
      checkAgentTools(policy, ask.agent.tools, { mode: ask.agent.modeParam, tools: ask.agent.toolsParam });
    }
    checkBudget(policy, await deps.spentUsd(principal), (deps.now ?? Date.now)());
    const release = await deps.concurrency.acquire(principal.id, policy.concurrency);
    let released = false;
    const releaseOnce = () => {
      if (released) return;
      released = true;
      release();
    };
    try {
      const requestsPerMinute = await deps.requestsPerMinute.count(principal);
      return { release: releaseOnce, ...(requestsPerMinute ? { requestsPerMinute } : {}) };
    } catch (error) {
      releaseOnce();
      throw error;
    }
  };
}
