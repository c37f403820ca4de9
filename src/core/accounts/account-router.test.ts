import { describe, expect, it } from 'vitest';
import type { Account, AccountPool, AccountState } from '../../contract/accounts.js';
import type { AccountStateStore } from '../../contract/ports/accounts.js';
import { createAccountRouter } from './account-router.js';
import { accountSlots } from './account-slots.js';

const T0 = Date.UTC(2030, 0, 1, 12);

function account(name: string, extra: Partial<Account> = {}): Account {
  return { name, kind: 'subscription', env: {}, fingerprint: `fp-${name}`, ...extra };
}

/** The port as the store keeps it: every update applied whole, one after another. */
function memoryStates(): AccountStateStore & { writes: number; failing: boolean } {
  const states = new Map<string, AccountState>();
  const store = {
    writes: 0,
    failing: false,
    async list() {
      if (store.failing) throw new Error('store away');
      return new Map(states);
    },
    async update(name: string, transition: (previous: AccountState | undefined) => AccountState) {
      if (store.failing) throw new Error('store away');
      const next = transition(states.get(name));
      states.set(name, next);
      store.writes++;
      return next;
    },
    async clear(name: string) {
      states.delete(name);
    },
  };
  return store;
}

function setup(accounts: Account[], strategy: AccountPool['strategy'] = 'priority') {
  let at = T0;
  const states = memoryStates();
  const errors: unknown[] = [];
  const router = createAccountRouter({
    pool: { strategy, accounts, implicit: false },
    states,
    slots: accountSlots(),
    statesTtlMs: 1_000,
    now: () => at,
    onStoreError: (error) => errors.push(error),
  });
  return {
    router,
    states,
    errors,
    advance: (ms: number) => {
      at += ms;
    },
  };
}

const main = account('main', { priority: 1 });
const backup = account('backup', { priority: 2 });

describe('createAccountRouter', () => {
  it('places a run on the first usable account and fails over once it is spent', async () => {
    const { router } = setup([backup, main]);
    const first = await router.place({});
    expect(first).toMatchObject({ kind: 'placed', account: main, moved: false });

    await router.report(main, { kind: 'rate-limited', resetsAt: T0 + 60_000 });
    expect(await router.place({})).toMatchObject({ kind: 'placed', account: backup });
    // The conversation begun on main moves, since main cannot answer.
    expect(await router.place({ conversationAccount: 'main' })).toMatchObject({
      account: backup,
      moved: true,
    });
  });

  it('answers at once when every allowed account is spent, with the first reset', async () => {
    const { router } = setup([main, backup]);
    await router.report(main, { kind: 'rate-limited', resetsAt: T0 + 90_000 });
    await router.report(backup, { kind: 'rate-limited', resetsAt: T0 + 30_000 });
    expect(await router.place({})).toEqual({ kind: 'exhausted', retryAt: T0 + 30_000 });
    expect(await router.place({ allowed: ['main'] })).toEqual({ kind: 'exhausted', retryAt: T0 + 90_000 });
    expect(await router.place({ allowed: ['nobody'] })).toEqual({ kind: 'none-allowed' });
  });

  it("holds maxConcurrency and gives the slot back when the run's release is called", async () => {
    const { router } = setup([account('solo', { maxConcurrency: 1 })]);
    const first = await router.place({});
    expect(await router.place({})).toEqual({ kind: 'busy' });
    expect((await router.view())[0]?.running).toBe(1);
    if (first.kind === 'placed') first.release();
    expect(await router.place({})).toMatchObject({ kind: 'placed' });
  });

  it('sees what another gateway found once its cached states expire', async () => {
    const { router, states, advance } = setup([main, backup]);
    await router.place({});
    // Another gateway on the same store finds main spent.
    await states.update('main', () => ({
      status: 'limited',
      resetsAt: T0 + 600_000,
      failures: 0,
      overloads: 0,
      updatedAt: T0,
    }));
    expect(await router.place({})).toMatchObject({ account: main });
    advance(1_000);
    expect(await router.place({})).toMatchObject({ account: backup });
  });

  it('shares only what tells the others something: not every small utilisation report', async () => {
    const { router, states } = setup([main]);
    await router.report(main, { kind: 'usage', utilization: 0.4 });
    await router.report(main, { kind: 'usage', utilization: 0.404 });
    await router.report(main, { kind: 'succeeded' });
    expect(states.writes).toBe(1);
    await router.report(main, { kind: 'usage', utilization: 0.5 });
    expect(states.writes).toBe(2);
  });

  it('keeps placing runs when the store is away, on what it last knew', async () => {
    const { router, states, errors, advance } = setup([main, backup]);
    await router.report(main, { kind: 'rate-limited', resetsAt: T0 + 600_000 });
    states.failing = true;
    advance(5_000);
    expect(await router.place({})).toMatchObject({ account: backup });
    expect(
      await router.report(backup, { kind: 'unauthorized', code: 'authentication_failed' }),
    ).toMatchObject({
      status: 'unauthorized',
    });
    expect(await router.place({})).toEqual({ kind: 'exhausted', retryAt: T0 + 600_000 });
    expect(errors.length).toBeGreaterThan(0);
  });

  it('spreads new conversations round-robin and keeps continued ones where they are', async () => {
    const { router } = setup([main, backup, account('third')], 'round-robin');
    const placed = [];
    for (let i = 0; i < 3; i++) placed.push(await router.place({}));
    expect(placed.map((p) => (p.kind === 'placed' ? p.account.name : p.kind))).toEqual([
      'main',
      'backup',
      'third',
    ]);
    expect(await router.place({ conversationAccount: 'third' })).toMatchObject({
      account: { name: 'third' },
      moved: false,
    });
  });

  it('fails a run over to another account, never back to the ones it already failed on', async () => {
    const { router } = setup([main, backup]);
    expect(await router.place({ exclude: ['main'] })).toMatchObject({ account: { name: 'backup' } });
    // Both tried: the run has nowhere else to go, though neither is known to be spent.
    expect(await router.place({ exclude: ['main', 'backup'] })).toEqual({
      kind: 'exhausted',
      retryAt: undefined,
    });
  });

  it('names the account new conversations go to next, without taking a turn or a slot', async () => {
    const { router } = setup([main, backup, account('third')], 'round-robin');
    expect((await router.preferred())?.name).toBe('main');
    expect((await router.preferred())?.name).toBe('main');
    await router.place({});
    expect((await router.preferred())?.name).toBe('backup');
    await router.report(backup, { kind: 'unauthorized', code: 'authentication_failed' });
    expect((await router.preferred())?.name).toBe('third');
  });

  it('shows each account without its credentials, and lets an operator clear one', async () => {
    const secret = account('main', {
      env: { CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-secret' },
      maxConcurrency: 2,
    });
    const { router } = setup([secret]);
    await router.report(secret, { kind: 'unauthorized', code: 'authentication_failed' });
    const [view] = await router.view();
    expect(view).toEqual({
      name: 'main',
      kind: 'subscription',
      status: 'unauthorized',
      resetsAt: null,
      utilization: null,
      running: 0,
      lastErrorCode: 'authentication_failed',
      priority: null,
      maxConcurrency: 2,
    });
    expect(JSON.stringify(await router.view())).not.toContain('secret');

    expect(await router.clear('main')).toBe(true);
    expect(await router.clear('unknown')).toBe(false);
    expect((await router.view())[0]?.status).toBe('usable');
  });

  it('shows when a limit lifts, in ISO 8601, and forgets it once it has', async () => {
    const { router, advance } = setup([main]);
    await router.report(main, { kind: 'rate-limited', resetsAt: T0 + 60_000, utilization: 1 });
    expect((await router.view())[0]).toMatchObject({
      status: 'limited',
      resetsAt: new Date(T0 + 60_000).toISOString(),
      utilization: 1,
    });
    advance(60_000);
    expect((await router.view())[0]).toMatchObject({ status: 'usable', resetsAt: null });
  });
});
