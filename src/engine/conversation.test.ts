import type { SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import { perTurnResult } from './conversation.js';

/** A result as the CLI reports it: its cost counter is the process's total so far. */
const resultWithTotal = (totalCostUsd: number) =>
  ({ type: 'result', subtype: 'success', total_cost_usd: totalCostUsd }) as SDKResultMessage;

describe('perTurnResult', () => {
  it("reports each turn's own cost in a long-lived process, without float noise", () => {
    const conversation = { reportedCostUsd: 0 };
    expect(perTurnResult(conversation, resultWithTotal(0.00009)).total_cost_usd).toBe(0.00009);
    // 0.0001523 - 0.00009 is 0.00006229999999999998 in binary floating point.
    expect(perTurnResult(conversation, resultWithTotal(0.0001523)).total_cost_usd).toBe(0.0000623);
    expect(conversation.reportedCostUsd).toBe(0.0001523);
  });
});
