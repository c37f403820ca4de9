import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../contract/gateway-error.js';
import { createModelCatalog } from '../../../core/model-catalog.js';
import { completionRequestSchema } from './schema.js';
import { toRunPlan } from './to-plan.js';

const context = { models: createModelCatalog(['sonnet']) };
const plan = (body: Record<string, unknown>) =>
  toRunPlan(completionRequestSchema.parse({ model: 'sonnet', prompt: 'Once upon a time', ...body }), context);

function errorOf(body: Record<string, unknown>): GatewayError {
  try {
    plan(body);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('legacy completion to run plan', () => {
  it('sends the prompt as the one user turn, with max_tokens and stop', () => {
    expect(plan({ max_tokens: 50, stop: '\n\n' })).toEqual({
      model: 'sonnet',
      history: [],
      prompt: [{ type: 'text', text: 'Once upon a time' }],
      thinking: 'disabled',
      clientTools: [],
      maxOutputTokens: 50,
      stopSequences: ['\n\n'],
    });
    expect(plan({ prompt: ['one element'], stop: ['a', 'b'] })).toMatchObject({
      prompt: [{ type: 'text', text: 'one element' }],
      stopSequences: ['a', 'b'],
    });
    // Sampling settings are accepted and not applied.
    expect(
      plan({ temperature: 0.2, top_p: 0.9, n: 1, echo: false, logprobs: null }).maxOutputTokens,
    ).toBeUndefined();
  });

  it.each([
    [{ echo: true }, 'echo'],
    [{ suffix: 'end' }, 'suffix'],
    [{ n: 2 }, 'n'],
    [{ best_of: 3 }, 'best_of'],
    [{ logprobs: 0 }, 'logprobs'],
    [{ prompt: ['a', 'b'] }, 'prompt'],
    [{ prompt: '  ' }, 'prompt'],
  ])('rejects %j with a 400 naming %s', (body, param) => {
    expect(errorOf(body)).toMatchObject({ status: 400, kind: 'invalid_request', param });
  });

  it('answers an unknown model with a 404 naming model', () => {
    expect(errorOf({ model: 'davinci-002' })).toMatchObject({ status: 404, param: 'model' });
  });
});
