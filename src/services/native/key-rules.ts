import type { RunAsk } from '../../contract/admission.js';
import type { KeyPolicy } from '../../contract/key-policy.js';
import type { AgentSettings } from '../../contract/run-plan.js';
import { checkAgentTools, checkModel, type ModelMatcher } from '../../core/admission/request-policy.js';

interface SessionSettings {
  model: string;
  agent?: AgentSettings;
}

/** A session's turn as admission sees it, with this surface's names for the agent fields. */
export function sessionAsk(session: SessionSettings): RunAsk {
  return {
    model: session.model,
    ...(session.agent
      ? { agent: { tools: session.agent.tools, modeParam: 'cwd', toolsParam: 'tools' } }
      : {}),
  };
}

/**
 * A key's model and agent limits when a session is created, so a client learns at once that it could
 * never run; every turn is admitted again by the core (the key's policy may have changed since).
 */
export function checkKeyMayUse(policy: KeyPolicy, session: SessionSettings, models: ModelMatcher): void {
  const ask = sessionAsk(session);
  checkModel(policy, ask.model, models);
  if (ask.agent)
    checkAgentTools(policy, ask.agent.tools, { mode: ask.agent.modeParam, tools: ask.agent.toolsParam });
}
