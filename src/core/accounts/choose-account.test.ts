import { describe, expect, it } from 'vitest';
import type { Account, AccountPool, AccountState, AccountStrategy } from '../../contract/accounts.js';
import {
  type AccountChoice,
  type AccountChoiceInput,
  chooseAccounts,
  retryAfterSeconds,
  roundRobinTurns,
} from './choose-account.js';

const T0 = Date.UTC(2030, 0, 1, 12);

function account(name: string, priority?: number): Account {
  return {
    name,
    kind: 'api-key',
    env: {},
    fingerprint: `fp-${name}`,
    ...(priority !== undefined ? { priority } : {}),
  };
}

function pool(strategy: AccountStrategy, accounts: Account[]): AccountPool {
  return { strategy, accounts, implicit: false };
}

const state = (status: AccountState['status'], extra: Partial<AccountState> = {}): AccountState => ({
  status,
  failures: 0,
  overloads: 0,
  updatedAt: T0,
  ...extra,
});

function names(choice: AccountChoice): string[] {
  if (choice.kind !== 'candidates') throw new Error(`expected candidates, got ${choice.kind}`);
  return choice.accounts.map((a) => a.name);
}

function choose(input: Partial<AccountChoiceInput> & Pick<AccountChoiceInput, 'pool'>): AccountChoice {
  return chooseAccounts({ states: new Map(), now: T0, ...input });
}

// "backup" comes first in the file but has the higher priority number.
const accounts = [account('backup', 2), account('main', 1), account('spare')];

describe('chooseAccounts', () => {
  it('orders by priority, accounts without one last in file order, skipping unusable ones', () => {
    expect(names(choose({ pool: pool('priority', accounts) }))).toEqual(['main', 'backup', 'spare']);
    const states = new Map([['main', state('limited', { resetsAt: T0 + 1_000 })]]);
    expect(names(choose({ pool: pool('priority', accounts), states }))).toEqual(['backup', 'spare']);
    // Once the limit lifts, main is first again.
    expect(names(choose({ pool: pool('priority', accounts), states, now: T0 + 1_000 }))[0]).toBe('main');
  });

  it('spreads new conversations round-robin from a per-gateway counter', () => {
    const turns = roundRobinTurns();
    const firsts = [0, 1, 2, 3].map(
      () => names(choose({ pool: pool('round-robin', accounts), turn: turns.next() }))[0],
    );
    expect(firsts).toEqual(['main', 'backup', 'spare', 'main']);
    // Each gateway counts for itself.
    expect(roundRobinTurns().next()).toBe(0);
    // Others remain as fallbacks, in rotated order.
    expect(names(choose({ pool: pool('round-robin', accounts), turn: 1 }))).toEqual([
      'backup',
      'spare',
      'main',
    ]);
  });

  it('puts the least used first under least-used: utilisation, then runs here, then priority', () => {
    const states = new Map([
      ['main', state('usable', { utilization: 0.8 })],
      ['backup', state('usable', { utilization: 0.2 })],
    ]);
    // spare has reported nothing: counted as unused.
    expect(names(choose({ pool: pool('least-used', accounts), states }))).toEqual([
      'spare',
      'backup',
      'main',
    ]);
    const running = new Map([['spare', 2]]);
    const even = new Map([
      ['main', state('usable', { utilization: 0 })],
      ['backup', state('usable', { utilization: 0 })],
    ]);
    expect(names(choose({ pool: pool('least-used', accounts), states: even, running }))).toEqual([
      'main',
      'backup',
      'spare',
    ]);
  });

  it('keeps a continued conversation on its account while that account is usable, whatever the strategy', () => {
    for (const strategy of ['priority', 'round-robin', 'least-used'] as const) {
      const choice = choose({ pool: pool(strategy, accounts), conversationAccount: 'spare', turn: 1 });
      expect(choice).toEqual({ kind: 'candidates', accounts: [account('spare')], stayed: true });
    }
    const states = new Map([['spare', state('failing', { resetsAt: T0 + 5_000 })]]);
    const moved = choose({ pool: pool('priority', accounts), states, conversationAccount: 'spare' });
    expect(moved).toMatchObject({ kind: 'candidates', stayed: false });
    expect(names(moved)).toEqual(['main', 'backup']);
    // An account that left the file is no home to return to.
    expect(names(choose({ pool: pool('priority', accounts), conversationAccount: 'gone' }))[0]).toBe('main');
  });

  it("uses only the key's accounts, and moves a conversation whose account the key may no longer use", () => {
    expect(names(choose({ pool: pool('priority', accounts), allowed: ['spare', 'backup'] }))).toEqual([
      'backup',
      'spare',
    ]);
    expect(
      names(choose({ pool: pool('priority', accounts), allowed: ['backup'], conversationAccount: 'main' })),
    ).toEqual(['backup']);
    expect(choose({ pool: pool('priority', accounts), allowed: ['other-team'] })).toEqual({
      kind: 'none-allowed',
    });
  });

  it('says when nothing is usable and when the first allowed account comes back', () => {
    const states = new Map([
      ['main', state('limited', { resetsAt: T0 + 90_000 })],
      ['backup', state('limited', { resetsAt: T0 + 30_000 })],
      ['spare', state('unauthorized', { fingerprint: 'fp-spare' })],
    ]);
    expect(choose({ pool: pool('priority', accounts), states })).toEqual({
      kind: 'exhausted',
      retryAt: T0 + 30_000,
    });
    // A key that may not use backup waits for main.
    expect(choose({ pool: pool('priority', accounts), states, allowed: ['main', 'spare'] })).toEqual({
      kind: 'exhausted',
      retryAt: T0 + 90_000,
    });
    expect(choose({ pool: pool('priority', accounts), states, allowed: ['spare'] })).toEqual({
      kind: 'exhausted',
      retryAt: undefined,
    });
  });

  it('counts the resets of the accounts a run already failed on when no other is left', () => {
    const states = new Map([
      ['main', state('limited', { resetsAt: T0 + 90_000 })],
      ['backup', state('limited', { resetsAt: T0 + 30_000 })],
    ]);
    const tried = ['main', 'backup'];
    expect(choose({ pool: pool('priority', accounts), states, allowed: tried, exclude: tried })).toEqual({
      kind: 'exhausted',
      retryAt: T0 + 30_000,
    });
  });
});

describe('retryAfterSeconds', () => {
  it('rounds up and is never below one second', () => {
    expect(retryAfterSeconds(T0 + 1_001, T0)).toBe(2);
    expect(retryAfterSeconds(T0 + 3_600_000, T0)).toBe(3_600);
    expect(retryAfterSeconds(T0 - 5, T0)).toBe(1);
  });
});
