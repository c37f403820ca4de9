import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEntry } from '../contract/ports/audit.js';
import { type GatewayStore, openGatewayStore } from '../store/gateway-store.js';
import { UsageError } from './cli-io.js';
import { usageCommand } from './usage-command.js';

const AT = Date.UTC(2026, 0, 2, 12);
const RANGE = ['--from', '2026-01-01', '--to', '2026-01-02'];

function entry(requestId: string, fields: Partial<AuditEntry>): AuditEntry {
  return {
    at: AT,
    requestId,
    keyId: 'key_1',
    method: 'POST',
    path: '/v1/messages',
    model: 'sonnet',
    stream: false,
    status: 200,
    errorCode: null,
    promptTokens: 10,
    completionTokens: 2,
    costUsd: 0.01,
    durationMs: 5,
    timeToFirstChunkMs: null,
    queueWaitMs: null,
    prompt: null,
    ...fields,
  };
}

describe('claude-gateway usage', () => {
  let store: GatewayStore;
  let out: string[];
  const io = { out: (line: string) => out.push(line), err: (line: string) => out.push(line) };

  beforeEach(async () => {
    store = await openGatewayStore({ engine: 'sqlite', file: ':memory:' });
    out = [];
    await store.audit.record(entry('r1', { account: 'main' }));
    await store.audit.record(entry('r2', { account: 'main', status: 429 }));
    await store.audit.record(entry('r3', { account: 'backup' }));
  });

  afterEach(async () => {
    await store.close();
  });

  it('sums per Claude account with --by account, as a table or as GET /v1/usage?group_by=account', async () => {
    expect(await usageCommand([...RANGE, '--by', 'account'], store.audit, io)).toBe(0);
    expect(out.join('\n').split('\n')).toEqual([
      'DAY         ACCOUNT  REQUESTS  ERRORS  PROMPT  COMPLETION  COST',
      '2026-01-02  backup   1         0       10      2           $0.0100',
      '2026-01-02  main     2         1       20      4           $0.0200',
    ]);
    out = [];
    expect(await usageCommand([...RANGE, '--by', 'account', '--json'], store.audit, io)).toBe(0);
    expect(JSON.parse(out[0] ?? '')).toMatchObject({
      group_by: 'account',
      data: [
        { account: 'backup', requests: 1 },
        { account: 'main', requests: 2, errors: 1, cost_usd: 0.02 },
      ],
    });
  });

  it('sums per key by default, and refuses another grouping', async () => {
    expect(await usageCommand([...RANGE, '--json'], store.audit, io)).toBe(0);
    expect(JSON.parse(out[0] ?? '')).toMatchObject({ data: [{ key_id: 'key_1', requests: 3 }] });
    await expect(usageCommand(['--by', 'model'], store.audit, io)).rejects.toThrow(
      new UsageError("--by must be 'key' or 'account', not 'model'"),
    );
  });
});
