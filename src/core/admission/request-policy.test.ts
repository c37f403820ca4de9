import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../contract/gateway-error.js';
import { createModelCatalog, DEFAULT_MODEL_IDS } from '../model-catalog.js';
import { checkAgentTools, checkBudget, checkModel } from './request-policy.js';

function rejection(run: () => void) {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return { status: error.status, code: error.code, param: error.param };
    throw error;
  }
  return undefined;
}

const NOW = Date.parse('2026-12-07T11:00:00Z');
const CHAT_PARAMS = { mode: 'claude_code', tools: 'claude_code.tools' };

describe('checkModel', () => {
  const models = createModelCatalog(DEFAULT_MODEL_IDS);

  it('refuses models outside the key list, naming the param', () => {
    const policy = { models: ['haiku'] };
    expect(rejection(() => checkModel(policy, 'sonnet', models))).toEqual({
      status: 403,
      code: 'model_not_allowed',
      param: 'model',
    });
    expect(rejection(() => checkModel(policy, 'haiku', models))).toBeUndefined();
    expect(rejection(() => checkModel({}, 'anything', models))).toBeUndefined();
  });

  it('lets a key allowed an alias use the full name it stands for, and the other way round', () => {
    expect(rejection(() => checkModel({ models: ['sonnet'] }, 'claude-sonnet-5-5', models))).toBeUndefined();
    expect(rejection(() => checkModel({ models: ['claude-haiku-5-5'] }, 'haiku', models))).toBeUndefined();
    // Another model of the family is another model.
    expect(rejection(() => checkModel({ models: ['sonnet'] }, 'claude-sonnet-4-5', models))?.code).toBe(
      'model_not_allowed',
    );
  });
});

describe('checkAgentTools', () => {
  it('refuses agent mode without agent tools, and tools outside the list, in the surface terms', () => {
    expect(rejection(() => checkAgentTools({}, ['Read'], CHAT_PARAMS))).toEqual({
      status: 403,
      code: 'agent_mode_not_allowed',
      param: 'claude_code',
    });
    const policy = { agentTools: ['Read', 'Grep'] };
    expect(rejection(() => checkAgentTools(policy, ['Read', 'Bash'], CHAT_PARAMS))).toEqual({
      status: 403,
      code: 'tool_not_allowed',
      param: 'claude_code.tools',
    });
    expect(rejection(() => checkAgentTools(policy, ['Bash'], { mode: 'cwd', tools: 'tools' }))).toEqual({
      status: 403,
      code: 'tool_not_allowed',
      param: 'tools',
    });
    expect(rejection(() => checkAgentTools(policy, ['Grep'], CHAT_PARAMS))).toBeUndefined();
  });

  it('asks a key with some tools to name them; an any-tool key may name none', () => {
    expect(rejection(() => checkAgentTools({ agentTools: ['Read'] }, undefined, CHAT_PARAMS))).toEqual({
      status: 400,
      code: 'tools_required',
      param: 'claude_code.tools',
    });
    expect(rejection(() => checkAgentTools({ agentTools: ['*'] }, undefined, CHAT_PARAMS))).toBeUndefined();
  });
});

describe('checkBudget', () => {
  it('refuses once the spend reaches the budget, telling clients not to retry', () => {
    expect(() => checkBudget({ budgetUsd: 1 }, 0.99, NOW)).not.toThrow();
    let error: unknown;
    try {
      checkBudget({ budgetUsd: 1 }, 1, NOW);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GatewayError);
    const gatewayError = error as GatewayError;
    // How the OpenAI surfaces render it: src/surfaces/openai/openai-error.test.ts.
    expect(gatewayError.kind).toBe('quota_exceeded');
    expect(gatewayError.code).toBe('insufficient_quota');
    expect(gatewayError.status).toBe(429);
    expect(gatewayError.headers()).toEqual({ 'x-should-retry': 'false' });
    expect(() => checkBudget({}, 1e9, NOW)).not.toThrow();
  });

  it('names the budget with the precision it has, and when a periodic one starts afresh', () => {
    expect(rejectionMessage(() => checkBudget({ budgetUsd: 0.0001 }, 0.0002, NOW))).toBe(
      'This API key has used its budget of $0.0001.',
    );
    expect(rejectionMessage(() => checkBudget({ budgetUsd: 2, budgetPeriod: 'day' }, 2, NOW))).toBe(
      'This API key has used its budget of $2.00 a day; it starts afresh at 2026-12-08T00:00:00.000Z.',
    );
  });
});

function rejectionMessage(run: () => void): string | undefined {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  return undefined;
}
