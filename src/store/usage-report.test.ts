import { describe, expect, it } from 'vitest';
import type { AuditEntry } from '../contract/ports/audit.js';
import { openGatewayStore } from './gateway-store.js';
import { accountUsageReport, usageReport } from './usage-report.js';

const AT = Date.UTC(2026, 0, 2, 12);

function entry(costUsd: number, requestId: string): AuditEntry {
  return {
    at: AT,
    requestId,
    keyId: 'key_1',
    method: 'POST',
    path: '/v1/chat/completions',
    model: 'sonnet',
    stream: true,
    status: 200,
    errorCode: null,
    promptTokens: 10,
    completionTokens: 2,
    costUsd,
    durationMs: 5,
    timeToFirstChunkMs: 1,
    queueWaitMs: 0,
    prompt: null,
  };
}

describe('usageReport', () => {
  it('is snake_case like the HTTP API and sums costs without float noise', async () => {
    const { audit } = await openGatewayStore({ engine: 'sqlite', file: ':memory:' });
    await audit.record(entry(0.1, 'r1'));
    await audit.record(entry(0.2, 'r2'));
    const range = { from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 0, 3) };
    const report = usageReport(await audit.usage(range.from, range.to), range);
    expect(report).toEqual({
      object: 'list',
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-01-03T00:00:00.000Z',
      data: [
        {
          key_id: 'key_1',
          key_name: null,
          day: '2026-01-02',
          requests: 2,
          errors: 0,
          prompt_tokens: 20,
          completion_tokens: 4,
          cost_usd: 0.3,
        },
      ],
    });
    expect(JSON.stringify(report)).toContain('"cost_usd":0.3}');
  });

  it('groups by Claude account on request, in the same snake_case and rounding', async () => {
    const { audit } = await openGatewayStore({ engine: 'sqlite', file: ':memory:' });
    await audit.record({ ...entry(0.1, 'r1'), account: 'main' });
    await audit.record({ ...entry(0.2, 'r2'), account: 'main' });
    await audit.record(entry(0, 'r3'));
    const range = { from: Date.UTC(2026, 0, 1), to: Date.UTC(2026, 0, 3) };
    expect(accountUsageReport(await audit.usageByAccount(range.from, range.to), range)).toEqual({
      object: 'list',
      from: '2026-01-01T00:00:00.000Z',
      to: '2026-01-03T00:00:00.000Z',
      group_by: 'account',
      data: [
        {
          account: 'main',
          day: '2026-01-02',
          requests: 2,
          errors: 0,
          prompt_tokens: 20,
          completion_tokens: 4,
          cost_usd: 0.3,
        },
        {
          account: null,
          day: '2026-01-02',
          requests: 1,
          errors: 0,
          prompt_tokens: 10,
          completion_tokens: 2,
          cost_usd: 0,
        },
      ],
    });
  });
});
