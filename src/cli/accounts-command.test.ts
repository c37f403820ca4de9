import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Account } from '../contract/accounts.js';
import { createAccountRouter } from '../core/accounts/account-router.js';
import { accountSlots } from '../core/accounts/account-slots.js';
import { type GatewayStore, openGatewayStore } from '../store/gateway-store.js';
import { type AccountsCommandDeps, type AccountTestOutcome, accountsCommand } from './accounts-command.js';
import { UsageError } from './cli-io.js';

const NOW = Date.UTC(2026, 0, 2, 12);
const account = (name: string, token: string): Account => ({
  name,
  kind: 'subscription',
  env: { CLAUDE_CODE_OAUTH_TOKEN: token },
  fingerprint: `fp-${name}`,
});
const main = account('main', 'sk-ant-oat01-main-secret');
const backup = account('backup', 'sk-ant-oat01-backup-secret');

describe('claude-gateway accounts', () => {
  let store: GatewayStore;
  let out: string[];
  let tested: string[];
  let deps: AccountsCommandDeps;

  beforeEach(async () => {
    store = await openGatewayStore({ engine: 'sqlite', file: ':memory:' });
    out = [];
    tested = [];
    const router = createAccountRouter({
      pool: { strategy: 'priority', accounts: [main, backup], implicit: false },
      states: store.accountStates,
      slots: accountSlots(),
      now: () => NOW,
    });
    deps = {
      router,
      usageSince: (from) => store.audit.usageByAccount(from, NOW + 1),
      testRun: async (tried): Promise<AccountTestOutcome> => {
        tested.push(tried.name);
        return tried.name === 'main'
          ? { ok: true, answer: 'OK', durationMs: 1_500, costUsd: 0.0002, tokens: 12 }
          : { ok: false, durationMs: 300, reason: 'its credentials were refused' };
      },
      io: { out: (line) => out.push(line), err: (line) => out.push(`ERR ${line}`) },
      now: () => NOW,
    };
    await store.audit.record({
      at: NOW - 1_000,
      requestId: 'r1',
      keyId: 'key_1',
      method: 'POST',
      path: '/v1/chat/completions',
      model: 'sonnet',
      stream: false,
      status: 200,
      errorCode: null,
      promptTokens: 10,
      completionTokens: 2,
      costUsd: 0.25,
      durationMs: 5,
      timeToFirstChunkMs: null,
      queueWaitMs: null,
      prompt: null,
      account: 'main',
    });
    await router.report(backup, { kind: 'rate-limited', resetsAt: NOW + 3_600_000 });
  });

  afterEach(async () => {
    await store.close();
  });

  it("lists each account's state from the store and today's use, never a credential", async () => {
    expect(await accountsCommand(['list'], deps)).toBe(0);
    expect(out[0]).toMatch(/^NAME\s+KIND\s+STATUS\s+RESETS/);
    expect(out[0]).toMatch(/main\s+subscription\s+usable\s+-.*1 req\s+\$0\.2500/);
    expect(out[0]).toMatch(/backup\s+subscription\s+limited\s+2026-01-02T13:00:00\.000Z.*rate_limit/);
    expect(out.join('\n')).not.toMatch(/secret/);

    out.length = 0;
    expect(await accountsCommand(['list', '--json'], deps)).toBe(0);
    const listed = JSON.parse(out[0] ?? '{}');
    expect(listed.data.map((a: { name: string; status: string }) => [a.name, a.status])).toEqual([
      ['main', 'usable'],
      ['backup', 'limited'],
    ]);
    expect(listed.data[0].today).toEqual({
      requests: 1,
      errors: 0,
      promptTokens: 10,
      completionTokens: 2,
      costUsd: 0.25,
    });
  });

  it('tests one account with a tiny run, saying it costs a few tokens, and exits 1 when it fails', async () => {
    expect(await accountsCommand(['test', 'main'], deps)).toBe(0);
    expect(out).toEqual([
      'Testing main (subscription) with one tiny run; it costs a few tokens.',
      'main: ok in 1.5 s, answered "OK" (12 tokens, $0.0002)',
    ]);
    out.length = 0;
    expect(await accountsCommand(['test', 'backup'], deps)).toBe(1);
    expect(out.at(-1)).toBe('ERR backup: failed after 0.3 s: its credentials were refused');
    expect(await accountsCommand(['test', 'nobody'], deps)).toBe(1);
    expect(tested).toEqual(['main', 'backup']);
  });

  it('clears an account on every gateway sharing the store', async () => {
    expect(await accountsCommand(['clear', 'backup'], deps)).toBe(0);
    expect(await store.accountStates.list()).toEqual(new Map());
    expect(out).toEqual(['Cleared backup: it is usable again on every gateway sharing this store.']);
    await expect(accountsCommand(['clear'], deps)).rejects.toThrow(UsageError);
    await expect(accountsCommand(['rotate'], deps)).rejects.toThrow(UsageError);
  });
});
