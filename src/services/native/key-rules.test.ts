import { describe, expect, it } from 'vitest';
import type { AgentSettings } from '../../contract/run-plan.js';
import { createModelCatalog, DEFAULT_MODEL_IDS } from '../../core/model-catalog.js';
import { checkKeyMayUse } from './key-rules.js';

const models = createModelCatalog(DEFAULT_MODEL_IDS);
const agent: AgentSettings = { cwd: '/w', tools: ['Read', 'Bash'], permissionMode: 'default', maxTurns: 3 };

describe('key rules at session creation', () => {
  it('allow what the key allows', () => {
    expect(() => checkKeyMayUse({}, { model: 'opus' }, models)).not.toThrow();
    expect(() =>
      checkKeyMayUse({ models: ['opus'], agentTools: ['*'] }, { model: 'opus', agent }, models),
    ).not.toThrow();
    expect(() =>
      checkKeyMayUse({ agentTools: ['Read', 'Bash'] }, { model: 'opus', agent }, models),
    ).not.toThrow();
  });

  it.each([
    [{ models: ['haiku'] }, { model: 'opus' }, 'model', 'model_not_allowed'],
    [{}, { model: 'opus', agent }, 'cwd', 'agent_mode_not_allowed'],
    [{ agentTools: ['Read'] }, { model: 'opus', agent }, 'tools', 'tool_not_allowed'],
  ])('refuse with a 403: %j %j', (policy, session, param, code) => {
    expect(() => checkKeyMayUse(policy, session, models)).toThrow(
      expect.objectContaining({ status: 403, kind: 'permission', param, code }),
    );
  });
});
