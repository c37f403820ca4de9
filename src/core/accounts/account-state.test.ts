import { describe, expect, it } from 'vitest';
import type { Account, AccountSignal, AccountState } from '../../contract/accounts.js';
import {
  earliestReset,
  nextAccountState,
  DEFAULT_ACCOUNT_STATE_POLICY as policy,
  statusAt,
  worthSharing,
} from './account-state.js';

const T0 = Date.UTC(2030, 0, 1, 12);
const FINGERPRINT = 'aaaaaaaaaaaaaaaa';

function account(name: string, fingerprint = FINGERPRINT): Account {
  return { name, kind: 'api-key', env: {}, fingerprint };
}

/** Applies signals one after another, each `stepMs` after the previous. */
function run(signals: AccountSignal[], from?: AccountState, stepMs = 1_000): AccountState | undefined {
  let state = from;
  signals.forEach((signal, index) => {
    state = nextAccountState(state, signal, { now: T0 + index * stepMs, fingerprint: FINGERPRINT });
  });
  return state;
}

describe('nextAccountState', () => {
  it('limits an account until the announced reset, and it lapses by itself', () => {
    const resetsAt = T0 + 3_600_000;
    const limited = run([{ kind: 'rate-limited', resetsAt, utilization: 1 }]);
    expect(limited).toMatchObject({
      status: 'limited',
      resetsAt,
      utilization: 1,
      lastErrorCode: 'rate_limit',
    });
    expect(statusAt(limited, resetsAt - 1, FINGERPRINT)).toBe('limited');
    expect(statusAt(limited, resetsAt, FINGERPRINT)).toBe('usable');
  });

  it("takes a retry's delay, else a default, when no reset is announced", () => {
    expect(run([{ kind: 'rate-limited', retryAfterMs: 5_000 }])?.resetsAt).toBe(T0 + 5_000);
    expect(run([{ kind: 'rate-limited' }])?.resetsAt).toBe(T0 + policy.limitWithoutResetMs);
  });

  it('keeps the reset the event announced when the error after it names none, and takes a later one', () => {
    const resetsAt = T0 + 10_000;
    const state = run([{ kind: 'rate-limited', resetsAt }, { kind: 'rate-limited' }]);
    expect(state?.resetsAt).toBe(resetsAt);
    const later = run([
      { kind: 'rate-limited', resetsAt },
      { kind: 'rate-limited', resetsAt: resetsAt + 1 },
    ]);
    expect(later?.resetsAt).toBe(resetsAt + 1);
  });

  it('records usage on a usable account but lets no late report lift a limit', () => {
    const used = run([{ kind: 'usage', utilization: 0.4, resetsAt: T0 + 60_000 }]);
    expect(used).toMatchObject({ status: 'usable', utilization: 0.4, resetsAt: T0 + 60_000 });
    const limited = run([
      { kind: 'rate-limited', resetsAt: T0 + 60_000 },
      { kind: 'usage', utilization: 0.9 },
    ]);
    expect(limited).toMatchObject({ status: 'limited', resetsAt: T0 + 60_000 });
    expect(run([{ kind: 'succeeded' }], limited)?.status).toBe('limited');
  });

  it('holds an unauthorized account until its credentials change', () => {
    const refused = run([{ kind: 'unauthorized', code: 'authentication_failed' }]);
    expect(refused).toMatchObject({
      status: 'unauthorized',
      lastErrorCode: 'authentication_failed',
      fingerprint: FINGERPRINT,
    });
    expect(statusAt(refused, T0 + 365 * 86_400_000, FINGERPRINT)).toBe('unauthorized');
    expect(statusAt(refused, T0, 'bbbbbbbbbbbbbbbb')).toBe('usable');
    // Neither time nor a run that was already going clears it.
    expect(run([{ kind: 'succeeded' }, { kind: 'usage', utilization: 0.1 }], refused)?.status).toBe(
      'unauthorized',
    );
    // New credentials start afresh: a signal under them builds on a usable state.
    const rotated = nextAccountState(
      refused,
      { kind: 'succeeded' },
      { now: T0, fingerprint: 'bbbbbbbbbbbbbbbb' },
    );
    expect(rotated.status).toBe('usable');
  });

  it('holds an account without credit for the billing hold', () => {
    expect(run([{ kind: 'billing', code: 'billing_error' }])).toMatchObject({
      status: 'limited',
      resetsAt: T0 + policy.billingHoldMs,
      lastErrorCode: 'billing_error',
    });
  });

  it('makes an account failing after a storm of overloads, with a backoff that doubles', () => {
    const overloaded: AccountSignal = { kind: 'unavailable', code: 'overloaded' };
    const twice = run([overloaded, overloaded]);
    expect(twice).toMatchObject({ status: 'usable', overloads: 2, lastErrorCode: 'overloaded' });

    const storm = run([overloaded, overloaded, overloaded]);
    expect(storm).toMatchObject({
      status: 'failing',
      failures: 1,
      overloads: 0,
      resetsAt: T0 + 2_000 + 10_000,
    });

    // Tried again after the backoff; another storm doubles it.
    const again = run([overloaded, overloaded, overloaded], { ...(storm as AccountState), resetsAt: T0 - 1 });
    expect(again).toMatchObject({ status: 'failing', failures: 2, resetsAt: T0 + 2_000 + 20_000 });
    // A run that works resets the streak.
    expect(run([{ kind: 'succeeded' }], again)).toMatchObject({
      status: 'usable',
      failures: 0,
      resetsAt: undefined,
    });
  });

  it('lets no overload shorten a limit', () => {
    const limited = run([{ kind: 'rate-limited', resetsAt: T0 + 600_000 }]);
    const overloaded: AccountSignal = { kind: 'unavailable', code: 'overloaded' };
    expect(run([overloaded, overloaded, overloaded], limited)).toMatchObject({
      status: 'limited',
      resetsAt: T0 + 600_000,
    });
  });

  it('counts overloads only within the storm window', () => {
    const overloaded: AccountSignal = { kind: 'unavailable', code: 'server_error' };
    // The third comes after the window that the first opened: it opens a new one.
    const spread = run([overloaded, overloaded, overloaded], undefined, policy.stormWindowMs / 2 + 1);
    expect(spread).toMatchObject({
      status: 'usable',
      overloads: 1,
      overloadsSince: T0 + policy.stormWindowMs + 2,
    });
  });

  it('caps the backoff', () => {
    const state = run([{ kind: 'unavailable', code: 'connection' }], {
      status: 'usable',
      failures: 20,
      overloads: 2,
      overloadsSince: T0,
      updatedAt: T0,
    });
    expect(state).toMatchObject({ status: 'failing', resetsAt: T0 + policy.maxBackoffMs });
  });
});

describe('earliestReset', () => {
  it('is the soonest limit or backoff to lift among the accounts, ignoring refusals', () => {
    const states = new Map<string, AccountState>([
      ['a', { status: 'limited', resetsAt: T0 + 50_000, failures: 0, overloads: 0, updatedAt: T0 }],
      ['b', { status: 'failing', resetsAt: T0 + 20_000, failures: 1, overloads: 0, updatedAt: T0 }],
      ['c', { status: 'unauthorized', fingerprint: FINGERPRINT, failures: 0, overloads: 0, updatedAt: T0 }],
      ['d', { status: 'limited', resetsAt: T0 - 1, failures: 0, overloads: 0, updatedAt: T0 }],
    ]);
    const accounts = ['a', 'b', 'c', 'd'].map((name) => account(name));
    expect(earliestReset(accounts, states, T0)).toBe(T0 + 20_000);
    expect(earliestReset([account('a'), account('c')], states, T0)).toBe(T0 + 50_000);
    expect(earliestReset([account('c')], states, T0)).toBeUndefined();
  });
});

describe('worthSharing', () => {
  it('skips utilisation that barely moved and shares everything else', () => {
    const base: AccountState = {
      status: 'usable',
      utilization: 0.4,
      failures: 0,
      overloads: 0,
      updatedAt: T0,
    };
    expect(worthSharing(base, { ...base, utilization: 0.405, updatedAt: T0 + 1 })).toBe(false);
    expect(worthSharing(base, { ...base, utilization: 0.42 })).toBe(true);
    expect(worthSharing(base, { ...base, status: 'limited' })).toBe(true);
    expect(worthSharing(undefined, { status: 'usable', failures: 0, overloads: 0, updatedAt: T0 })).toBe(
      false,
    );
    expect(worthSharing(undefined, base)).toBe(true);
  });
});
