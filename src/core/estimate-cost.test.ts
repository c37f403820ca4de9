import { describe, expect, it } from 'vitest';
import { estimateCostUsd } from './estimate-cost.js';

describe('estimateCostUsd', () => {
  it("matches Claude Code's own figure for a sonnet call", () => {
    // Claude Code 2.1.330 reported total_cost_usd 0.0001194 for exactly this usage on claude-sonnet-5-5.
    const cost = estimateCostUsd('claude-sonnet-5-5', {
      input_tokens: 12,
      output_tokens: 5,
      cache_read_input_tokens: 3,
      cache_creation_input_tokens: 2,
    });
    expect(cost).toBeCloseTo(0.0001194, 10);
  });

  it('prices families differently and falls back to sonnet prices for unknown names', () => {
    const usage = { input_tokens: 1_000_000, output_tokens: 1_000_000 };
    expect(estimateCostUsd('opus', usage)).toBe(30);
    expect(estimateCostUsd('haiku', usage)).toBe(6);
    expect(estimateCostUsd('sonnet', usage)).toBe(18);
    expect(estimateCostUsd('some-new-model', usage)).toBe(18);
  });
});
