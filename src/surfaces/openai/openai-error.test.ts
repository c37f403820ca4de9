import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../contract/gateway-error.js';
import { checkBudget } from '../../core/admission/request-policy.js';
import { openAIErrorBody } from './openai-error.js';

describe('openAIErrorBody', () => {
  it('renders a spent budget as OpenAI does, so clients stop instead of retrying', () => {
    let error: unknown;
    try {
      checkBudget({ budgetUsd: 1 }, 1, Date.UTC(2026, 11, 7));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(GatewayError);
    expect(openAIErrorBody(error as GatewayError).error).toMatchObject({
      code: 'insufficient_quota',
      type: 'insufficient_quota',
    });
  });
});
