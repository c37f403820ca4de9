import { describe, expect, it } from 'vitest';
import { GatewayError } from '../core/gateway-error.js';
import { openAIErrorBody } from '../http/openai-error.js';
import { checkBudget, checkRequestPolicy } from './request-policy.js';

function rejection(run: () => void) {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) return { status: error.status, code: error.code, param: error.param };
    throw error;
  }
  return undefined;
}

describe('checkRequestPolicy', () => {
  it('refuses models outside the key list, naming the param', () => {
    const policy = { models: ['haiku'] };
    expect(rejection(() => checkRequestPolicy(policy, { model: 'sonnet' }))).toEqual({
      status: 403,
      code: 'model_not_allowed',
      param: 'model',
    });
    expect(rejection(() => checkRequestPolicy(policy, { model: 'haiku' }))).toBeUndefined();
    expect(rejection(() => checkRequestPolicy({}, { model: 'anything' }))).toBeUndefined();
  });

  it('leaves malformed bodies to the route validation', () => {
    for (const body of [undefined, null, 'text', [1], { model: 42 }]) {
      expect(rejection(() => checkRequestPolicy({ models: ['haiku'] }, body))).toBeUndefined();
    }
  });

  it('refuses agent mode without agent tools, and tools outside the list', () => {
    expect(rejection(() => checkRequestPolicy({}, { claude_code: {} }))).toMatchObject({
      status: 403,
      code: 'agent_mode_not_allowed',
    });
    expect(rejection(() => checkRequestPolicy({}, { claude_code: null }))).toBeUndefined();
    const policy = { agentTools: ['Read', 'Grep'] };
    expect(rejection(() => checkRequestPolicy(policy, { claude_code: { tools: ['Read', 'Bash'] } }))).toEqual(
      {
        status: 403,
        code: 'tool_not_allowed',
        param: 'claude_code.tools',
      },
    );
    expect(rejection(() => checkRequestPolicy(policy, { claude_code: { cwd: '/x' } }))).toEqual({
      status: 400,
      code: 'tools_required',
      param: 'claude_code.tools',
    });
    expect(rejection(() => checkRequestPolicy(policy, { claude_code: { tools: ['Grep'] } }))).toBeUndefined();
    expect(rejection(() => checkRequestPolicy({ agentTools: ['*'] }, { claude_code: {} }))).toBeUndefined();
  });
});

describe('checkBudget', () => {
  it('refuses once the spend reaches the budget, telling clients not to retry', () => {
    expect(() => checkBudget({ budgetUsd: 1 }, 0.99)).not.toThrow();
    let error: unknown;
    try {
      checkBudget({ budgetUsd: 1 }, 1);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GatewayError);
    const gatewayError = error as GatewayError;
    expect(openAIErrorBody(gatewayError).error).toMatchObject({
      code: 'insufficient_quota',
      type: 'insufficient_quota',
    });
    expect(gatewayError.status).toBe(429);
    expect(gatewayError.headers()).toEqual({ 'x-should-retry': 'false' });
    expect(() => checkBudget({}, 1e9)).not.toThrow();
  });
});
