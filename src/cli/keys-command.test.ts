import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILT_IN_PROFILES } from '../core/admission/profiles.js';
import { createModelCatalog, DEFAULT_MODEL_IDS } from '../core/model-catalog.js';
import { type GatewayStore, openGatewayStore } from '../store/gateway-store.js';
import { keysCommand } from './keys-command.js';

const NOW = Date.parse('2026-12-07T12:00:00Z');
const context = {
  profiles: BUILT_IN_PROFILES,
  models: createModelCatalog(DEFAULT_MODEL_IDS),
  now: () => NOW,
};

describe('claude-gateway keys', () => {
  let store: GatewayStore;
  let out: string[];
  const io = { out: (line: string) => out.push(line), err: (line: string) => out.push(line) };

  beforeEach(async () => {
    store = await openGatewayStore({ engine: 'sqlite', file: ':memory:' });
    out = [];
  });

  afterEach(async () => {
    await store.close();
  });

  it('limits a key to named Claude accounts and shows them', async () => {
    const code = await keysCommand(
      ['create', '--name', 'team-a', '--accounts', 'main, backup', '--json'],
      store.keys,
      io,
      context,
    );
    expect(code).toBe(0);
    const created = JSON.parse(out[0] ?? '') as { id: string };
    expect(created).toMatchObject({ name: 'team-a', accounts: ['main', 'backup'] });
    expect((await store.keys.get(created.id))?.policy.accounts).toEqual(['main', 'backup']);
    out = [];
    await keysCommand(['list'], store.keys, io, context);
    expect(out.join('\n')).toMatch(/team-a .*accounts main,backup/);
  });

  it('leaves a key without --accounts free to use every account', async () => {
    await keysCommand(['create', '--name', 'anyone', '--json'], store.keys, io, context);
    expect(JSON.parse(out[0] ?? '')).toMatchObject({ accounts: null });
  });

  it('records where chat completions put thinking for the key, and refuses an unknown field', async () => {
    await keysCommand(
      ['create', '--name', 'vllm-client', '--reasoning-field', 'reasoning', '--json'],
      store.keys,
      io,
      context,
    );
    const created = JSON.parse(out[0] ?? '') as { id: string };
    expect(created).toMatchObject({ reasoning_field: 'reasoning' });
    expect((await store.keys.get(created.id))?.policy.reasoningField).toBe('reasoning');
    await expect(
      keysCommand(['create', '--name', 'odd', '--reasoning-field', 'thoughts'], store.keys, io, context),
    ).rejects.toThrow(/reasoning_content, reasoning, both/);
  });

  const lastJson = () => JSON.parse(out.at(-1) ?? '') as Record<string, unknown> & { id: string };

  it('refuses a model the gateway does not serve, naming it and the served ones', async () => {
    await expect(
      keysCommand(['create', '--name', 'x', '--models', 'sonnet,gpt-9'], store.keys, io, context),
    ).rejects.toThrow(
      /--models: unknown model 'gpt-9'; this gateway serves sonnet, opus, haiku, claude-opus-5-5/,
    );
    expect(await store.keys.count()).toBe(0);
  });

  it('makes a key that expires and a budget that starts afresh each period', async () => {
    await keysCommand(
      [
        'create',
        '--name',
        'monthly',
        '--budget-usd',
        '0.0001',
        '--budget-period',
        'month',
        '--expires',
        '30d',
        '--json',
      ],
      store.keys,
      io,
      context,
    );
    expect(lastJson()).toMatchObject({
      budget_usd: 0.0001,
      budget_period: 'month',
      expires_at: new Date(NOW + 30 * 86_400_000).toISOString(),
    });
    await keysCommand(['list'], store.keys, io, context);
    expect(out.at(-1)).toMatch(
      /monthly .* active .*budget \$0\.0001 a month, all models, no agent mode, expires 2027-01-06T12:00:00\.000Z/,
    );
    await expect(
      keysCommand(['create', '--name', 'y', '--expires', '2020-01-01'], store.keys, io, context),
    ).rejects.toThrow(/not in the future/);
    await expect(
      keysCommand(['create', '--name', 'y', '--budget-period', 'year'], store.keys, io, context),
    ).rejects.toThrow(/day, week, month/);
  });

  it('updates a key in place: given settings change, words remove them, the rest stays', async () => {
    await keysCommand(
      ['create', '--name', 'team', '--rpm', '5', '--models', 'sonnet', '--accounts', 'main', '--json'],
      store.keys,
      io,
      context,
    );
    const { id, key } = lastJson() as { id: string; key: string };
    const code = await keysCommand(
      [
        'update',
        'team',
        '--rpm',
        '50',
        '--models',
        'all',
        '--budget-usd',
        '3',
        '--budget-period',
        'week',
        '--expires',
        '2027-02-01',
        '--json',
      ],
      store.keys,
      io,
      context,
    );
    expect(code).toBe(0);
    expect(lastJson()).toMatchObject({
      id,
      rpm: 50,
      models: null,
      accounts: ['main'],
      budget_usd: 3,
      budget_period: 'week',
      expires_at: '2027-02-01T00:00:00.000Z',
    });
    await keysCommand(
      [
        'update',
        id,
        '--rpm',
        'none',
        '--accounts',
        'all',
        '--expires',
        'never',
        '--agent-tools',
        'Read',
        '--reasoning-field',
        'both',
      ],
      store.keys,
      io,
      context,
    );
    expect(out.at(-1)).toBe(
      `Updated key ${id} (team): budget $3.00 a week, all models, agent tools Read, reasoning in both`,
    );
    // The key itself is the same: same secret, same id.
    const { hashApiKey } = await import('../util/api-key.js');
    expect((await store.keys.findByHash(hashApiKey(key)))?.policy).toEqual({
      budgetUsd: 3,
      budgetPeriod: 'week',
      agentTools: ['Read'],
      reasoningField: 'both',
    });
  });

  it('updates from a profile, explicit flags over it, and refuses what could never work', async () => {
    await keysCommand(['create', '--name', 'trial', '--json'], store.keys, io, context);
    await keysCommand(
      ['update', 'trial', '--profile', 'pro', '--rpm', '7', '--json'],
      store.keys,
      io,
      context,
    );
    expect(lastJson()).toMatchObject({
      profile: 'pro',
      rpm: 7,
      concurrency: 4,
      agent_tools: ['Read', 'Grep', 'Glob', 'Write', 'Edit', 'Bash'],
    });
    await expect(
      keysCommand(['update', 'trial', '--profile', 'gold'], store.keys, io, context),
    ).rejects.toThrow(/--profile: unknown profile 'gold'; known: free, pro, enterprise/);
    await expect(
      keysCommand(['update', 'trial', '--models', 'gpt-9'], store.keys, io, context),
    ).rejects.toThrow(/unknown model 'gpt-9'/);
    await expect(keysCommand(['update', 'trial'], store.keys, io, context)).rejects.toThrow(
      /at least one setting/,
    );
    expect(await keysCommand(['update', 'nobody', '--rpm', '1'], store.keys, io, context)).toBe(1);
    expect(out.at(-1)).toContain("no active key with id or name 'nobody'");
  });

  it('lists each key with its real state: over budget (this period), expired, revoked', async () => {
    const make = async (name: string, ...flags: string[]) => {
      await keysCommand(['create', '--name', name, ...flags, '--json'], store.keys, io, context);
      return lastJson().id;
    };
    const spent = await make('spent', '--budget-usd', '0.5');
    const daily = await make('daily', '--budget-usd', '0.5', '--budget-period', 'day');
    const fresh = await make('fresh', '--budget-usd', '0.5', '--budget-period', 'day');
    await make('soon', '--expires', '1h');
    const gone = await make('gone');
    await store.keys.revoke(gone);
    const charge = (keyId: string, at: number) =>
      store.audit.record({
        at,
        requestId: `r-${keyId}-${at}`,
        keyId,
        method: 'POST',
        path: '/v1/chat/completions',
        model: 'sonnet',
        stream: false,
        status: 200,
        errorCode: null,
        promptTokens: 1,
        completionTokens: 1,
        costUsd: 0.5,
        durationMs: 1,
        timeToFirstChunkMs: null,
        queueWaitMs: null,
        prompt: null,
      });
    await charge(spent, NOW - 10 * 86_400_000);
    await charge(daily, NOW - 60_000);
    // Yesterday's spend of a daily budget does not count today.
    await charge(fresh, NOW - 86_400_000);
    const later = { ...context, now: () => NOW + 2 * 3_600_000 };
    await keysCommand(['list', '--all', '--json'], store.keys, io, later);
    const states = Object.fromEntries(
      (JSON.parse(out.at(-1) ?? '') as Array<{ name: string; status: string }>).map((k) => [
        k.name,
        k.status,
      ]),
    );
    expect(states).toEqual({
      spent: 'over budget',
      daily: 'over budget',
      fresh: 'active',
      soon: 'expired',
      gone: 'revoked',
    });
  });
});
