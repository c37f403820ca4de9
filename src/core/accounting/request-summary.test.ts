import { describe, expect, it } from 'vitest';
import { ZERO_USAGE } from '../../contract/run-events.js';
import type { RunSummary } from '../../contract/run-service.js';
import { toRequestSummary } from './request-summary.js';

const summary: RunSummary = {
  surface: 'openai-chat',
  model: 'sonnet',
  outcome: 'ok',
  usage: ZERO_USAGE,
  costUsd: 0.02,
  costEstimated: false,
  durationMs: 40,
  queueWaitMs: 1,
};

describe('toRequestSummary', () => {
  it('passes the Claude account a run used on to the audit log, and adds none when it had none', () => {
    expect(toRequestSummary({ ...summary, account: 'backup' }).account).toBe('backup');
    expect(toRequestSummary(summary)).not.toHaveProperty('account');
  });
});
