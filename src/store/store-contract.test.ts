import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  findPostgresBin,
  type PostgresCluster,
  postgresTestsEnabled,
  startPostgresCluster,
} from '../../test/helpers/postgres-cluster.js';
import type { Account, AccountState } from '../contract/accounts.js';
import type { AuditEntry } from '../contract/ports/audit.js';
import type { ChatCompletionQuery, StoredChatCompletion } from '../contract/ports/chat-completions.js';
import type { NativeSessionRecord } from '../contract/ports/native-sessions.js';
import type { StoredResponse } from '../contract/ports/responses.js';
import { ZERO_USAGE } from '../contract/run-events.js';
import type { RunPlan } from '../contract/run-plan.js';
import { accountSlots } from '../core/accounts/account-slots.js';
import { hashApiKey } from '../util/api-key.js';
import { connectStore, type StoreLocation } from './engine.js';
import { type GatewayStore, openGatewayStore } from './gateway-store.js';
import { DuplicateKeyNameError } from './key-store.js';
import { migrateToLatest } from './migrations.js';

/**
 * The store contract: every engine behind GatewayStore must pass the same cases. Each case gets a
 * fresh store (a new SQLite file, or a new database in a throw-away PostgreSQL cluster).
 */
interface Engine {
  name: string;
  enabled: boolean;
  /**
   * Whether one process may hold several connections that write at once. Not SQLite's: its
   * connections in one process would wait on each other synchronously and block the event loop, so
   * a gateway holds one (other processes, like the keys CLI, wait on the file lock instead).
   */
  concurrentConnections: boolean;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  newLocation(): Promise<StoreLocation>;
}

function sqliteEngine(): Engine {
  let dir = '';
  let n = 0;
  return {
    name: 'sqlite',
    enabled: true,
    concurrentConnections: false,
    async setup() {
      dir = mkdtempSync(path.join(os.tmpdir(), 'cg-store-'));
    },
    async teardown() {
      rmSync(dir, { recursive: true, force: true });
    },
    newLocation: async () => ({ engine: 'sqlite', file: path.join(dir, `store-${n++}.db`) }),
  };
}

function postgresEngine(): Engine {
  let cluster: PostgresCluster | undefined;
  return {
    name: `postgres (${findPostgresBin() ?? 'binaries missing'})`,
    enabled: postgresTestsEnabled(),
    concurrentConnections: true,
    async setup() {
      cluster = await startPostgresCluster();
    },
    async teardown() {
      await cluster?.stop();
    },
    async newLocation() {
      if (!cluster) throw new Error('cluster not started');
      return { engine: 'postgres', url: await cluster.createDatabase() };
    },
  };
}

/** Puts sessions `ids` in the store's conversation index: only those keep mirrored transcripts. */
async function trackSessions(store: GatewayStore, ...ids: string[]): Promise<void> {
  const pending = [...ids];
  const index = store.sessionIndex({
    ttlMs: 60_000,
    maxCount: 100,
    claimTtlMs: 60_000,
    newId: () => pending.shift() ?? 'unexpected',
  });
  for (const _ of ids) {
    const plan: RunPlan = {
      model: 'sonnet',
      history: [],
      prompt: [{ type: 'text', text: 'hi' }],
      thinking: 'disabled',
      clientTools: [],
    };
    await index.begin(plan);
  }
}

const DAY1 = Date.UTC(2026, 0, 1, 23, 59);
const DAY2 = Date.UTC(2026, 0, 2, 0, 1);

function entry(keyId: string, fields: Partial<AuditEntry>): AuditEntry {
  return {
    at: DAY1,
    requestId: 'r',
    keyId,
    method: 'POST',
    path: '/v1/chat/completions',
    model: 'sonnet',
    stream: false,
    status: 200,
    errorCode: null,
    promptTokens: 0,
    completionTokens: 0,
    costUsd: 0,
    durationMs: 10,
    timeToFirstChunkMs: null,
    queueWaitMs: null,
    prompt: null,
    ...fields,
  };
}

for (const engine of [sqliteEngine(), postgresEngine()]) {
  describe.skipIf(!engine.enabled)(`GatewayStore on ${engine.name}`, () => {
    const opened: GatewayStore[] = [];
    let clock = Date.UTC(2026, 0, 1, 12);
    const open = async (location?: StoreLocation) => {
      const store = await openGatewayStore(location ?? (await engine.newLocation()), { now: () => clock++ });
      opened.push(store);
      return store;
    };

    beforeAll(() => engine.setup(), 60_000);
    afterAll(async () => {
      for (const store of opened) await store.close();
      await engine.teardown();
    }, 30_000);

    it('keeps only the digest: the key is returned once and found again by its hash', async () => {
      const store = await open();
      const { record, key } = await store.keys.create({
        name: 'ci',
        policy: { rpm: 5, concurrency: 2, budgetUsd: 1.5, models: ['sonnet'], agentTools: ['Read'] },
      });
      expect(key).toMatch(/^sk-cg-[A-Za-z0-9_-]{43}$/);
      expect(record.prefix).toBe(key.slice(0, 12));
      const dump = JSON.stringify(await store.keys.list({ includeRevoked: true }));
      expect(dump).not.toContain(key);
      expect(await store.keys.findByHash(hashApiKey(key))).toMatchObject({
        id: record.id,
        keyHash: hashApiKey(key),
        createdAt: record.createdAt,
        revokedAt: null,
        spentUsd: 0,
        policy: { rpm: 5, concurrency: 2, budgetUsd: 1.5, models: ['sonnet'], agentTools: ['Read'] },
      });
      expect(await store.keys.findByHash(hashApiKey('sk-cg-other'))).toBeUndefined();
    });

    it('leaves absent limits out of the policy and keeps the admin flag', async () => {
      const store = await open();
      const { record } = await store.keys.create({ name: 'open', admin: true });
      expect(record.policy).toEqual({});
      expect(await store.keys.get(record.id)).toMatchObject({ admin: true, policy: {} });
    });

    it('keeps the permission profile a key was made with', async () => {
      const store = await open();
      const { record, key } = await store.keys.create({
        name: 'agent',
        policy: { profile: 'read-only', rpm: 5 },
      });
      expect(record.policy).toEqual({ profile: 'read-only', rpm: 5 });
      expect((await store.keys.findByHash(hashApiKey(key)))?.policy).toEqual({
        profile: 'read-only',
        rpm: 5,
      });
    });

    it('revokes by id or name; a revoked key is no longer found and its name is free again', async () => {
      const store = await open();
      const first = await store.keys.create({ name: 'bob' });
      await expect(store.keys.create({ name: 'bob' })).rejects.toThrow(DuplicateKeyNameError);
      expect((await store.keys.revoke('bob'))?.id).toBe(first.record.id);
      expect(await store.keys.findByHash(hashApiKey(first.key))).toBeUndefined();
      expect(await store.keys.revoke('bob')).toBeUndefined();
      const second = await store.keys.create({ name: 'bob' });
      expect((await store.keys.revoke(second.record.id))?.name).toBe('bob');
      expect(await store.keys.count()).toBe(0);
      expect(await store.keys.count({ includeRevoked: true })).toBe(2);
      expect((await store.keys.list({ includeRevoked: true })).map((r) => r.id)).toEqual([
        first.record.id,
        second.record.id,
      ]);
      expect(await store.keys.list()).toEqual([]);
    });

    it('lets exactly one of two racing creators have an active name', async () => {
      const store = await open();
      const results = await Promise.allSettled([
        store.keys.create({ name: 'race' }),
        store.keys.create({ name: 'race' }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.find((r) => r.status === 'rejected');
      expect((rejected as PromiseRejectedResult).reason).toBeInstanceOf(DuplicateKeyNameError);
    });

    it('adds each entry cost to the key spend and sums usage per key and UTC day', async () => {
      const store = await open();
      const { record } = await store.keys.create({ name: 'a' });
      await store.audit.record(entry(record.id, { promptTokens: 10, completionTokens: 5, costUsd: 0.25 }));
      await store.audit.record(entry(record.id, { status: 429, errorCode: 'rate_limit_exceeded' }));
      await store.audit.record(
        entry(record.id, { at: DAY2, promptTokens: 1, completionTokens: 2, costUsd: 0.5 }),
      );
      expect((await store.keys.get(record.id))?.spentUsd).toBeCloseTo(0.75);
      expect(await store.audit.usage(DAY1, DAY2 + 1)).toEqual([
        {
          keyId: record.id,
          keyName: 'a',
          day: '2026-01-01',
          requests: 2,
          errors: 1,
          promptTokens: 10,
          completionTokens: 5,
          costUsd: 0.25,
        },
        {
          keyId: record.id,
          keyName: 'a',
          day: '2026-01-02',
          requests: 1,
          errors: 0,
          promptTokens: 1,
          completionTokens: 2,
          costUsd: 0.5,
        },
      ]);
      expect(await store.audit.usage(DAY2, DAY2 + 1)).toHaveLength(1);
      expect(await store.audit.usage(DAY2 + 1, DAY2 + 2)).toEqual([]);
    });

    it('reports environment keys in usage without a name, and returns recent entries newest first', async () => {
      const store = await open();
      await store.audit.record(
        entry('env-1234', {
          requestId: 'first',
          stream: true,
          timeToFirstChunkMs: 12.6,
          queueWaitMs: 0.4,
          durationMs: 99.5,
        }),
      );
      await store.audit.record(entry('env-1234', { requestId: 'second', prompt: '[]' }));
      expect(await store.audit.usage(DAY1, DAY1 + 1)).toMatchObject([{ keyId: 'env-1234', keyName: null }]);
      const recent = await store.audit.recent(5);
      expect(recent.map((e) => e.requestId)).toEqual(['second', 'first']);
      expect(recent[1]).toMatchObject({
        stream: true,
        timeToFirstChunkMs: 13,
        queueWaitMs: 0,
        durationMs: 100,
        prompt: null,
      });
      expect(recent[0]?.prompt).toBe('[]');
    });

    it('charges concurrent writers (from two connections where the engine allows) without losing an increment', async () => {
      const location = await engine.newLocation();
      const a = await open(location);
      const b = engine.concurrentConnections ? await open(location) : a;
      const { record } = await a.keys.create({ name: 'shared' });
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          (i % 2 ? a : b).audit.record(entry(record.id, { requestId: `r${i}`, costUsd: 0.5 })),
        ),
      );
      expect((await b.keys.get(record.id))?.spentUsd).toBeCloseTo(10);
      expect((await a.audit.usage(DAY1, DAY1 + 1))[0]?.requests).toBe(20);
    });

    it('migrates once when several gateways start at the same time, and again is a no-op', async () => {
      const location = await engine.newLocation();
      const connections = [connectStore(location), connectStore(location), connectStore(location)];
      try {
        const migrate = (c: (typeof connections)[number]) => migrateToLatest(c.db, c.engine);
        const applied = engine.concurrentConnections
          ? await Promise.all(connections.map(migrate))
          : [await migrate(connections[0]!), await migrate(connections[1]!), await migrate(connections[2]!)];
        expect(applied.flat()).toEqual([
          '0001_keys_and_audit',
          '0002_shared_limits',
          '0003_transcript_entries',
          '0004_conversations',
          '0005_responses',
          '0006_native_sessions',
          '0007_tasks',
          '0008_take_run_lease',
          '0009_accounts',
          '0010_store_counters',
          '0011_key_reasoning_field',
          '0012_background_responses_and_stored_completions',
          '0013_audit_running',
          '0014_key_expiry_and_budget_period',
          '0015_conversation_accounts',
          '0016_conversation_versions',
        ]);
        expect(await migrateToLatest(connections[0]!.db, connections[0]!.engine)).toEqual([]);
      } finally {
        for (const c of connections) await c.db.destroy();
      }
    });

    it('counts requests per minute across gateways: exactly the limit per window, then a new window', async () => {
      const location = await engine.newLocation();
      let at = DAY1;
      const a = await openGatewayStore(location, { now: () => at });
      opened.push(a);
      const b = engine.concurrentConnections ? await openGatewayStore(location, { now: () => at }) : a;
      if (b !== a) opened.push(b);
      const windows = [a.rateWindow(60_000), b.rateWindow(60_000)];
      const hits = await Promise.all(
        Array.from({ length: 10 }, (_, i) => windows[i % 2]!.increment('key_1')),
      );
      expect(hits.map((hit) => hit.totalHits).sort((x, y) => x - y)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
      expect(hits[0]?.resetTime.getTime()).toBe(DAY1 + 60_000);
      expect((await windows[1]!.increment('key_2')).totalHits).toBe(1);
      await windows[0]!.decrement('key_1');
      expect((await windows[1]!.get('key_1'))?.totalHits).toBe(9);
      at = DAY1 + 60_000;
      expect(await windows[0]!.get('key_1')).toBeUndefined();
      const fresh = await windows[1]!.increment('key_1');
      expect(fresh).toEqual({ totalHits: 1, resetTime: new Date(DAY1 + 120_000) });
      await windows[0]!.resetKey('key_2');
      expect(await windows[0]!.get('key_2')).toBeUndefined();
    });

    it('shares per-key run slots across gateways; a dead gateway frees its slots after the lease TTL', async () => {
      const location = await engine.newLocation();
      let at = DAY1;
      const a = await openGatewayStore(location, { now: () => at });
      opened.push(a);
      const b = engine.concurrentConnections ? await openGatewayStore(location, { now: () => at }) : a;
      if (b !== a) opened.push(b);
      const onA = a.concurrency({ instanceId: 'A', leaseTtlMs: 30_000 });
      const onB = b.concurrency({ instanceId: 'B', leaseTtlMs: 30_000 });
      try {
        const attempts = await Promise.all(
          Array.from({ length: 6 }, (_, i) => (i % 2 ? onA : onB).tryAcquire('key_1', 2)),
        );
        const granted = attempts.filter((release) => release !== undefined);
        expect(granted).toHaveLength(2);
        expect(await onA.running('key_1')).toBe(2);
        expect(await onB.tryAcquire('key_other', 1)).toBeDefined();
        await granted[0]!();
        await granted[0]!();
        expect(await onB.running('key_1')).toBe(1);
        const third = await onA.tryAcquire('key_1', 2);
        expect(third).toBeDefined();
        expect(await onB.tryAcquire('key_1', 2)).toBeUndefined();
        // Nobody renews (a gateway that died): once the TTL passes the slots are free again.
        at += 30_001;
        expect(await onB.running('key_1')).toBe(0);
        expect(await onB.tryAcquire('key_1', 2)).toBeDefined();
      } finally {
        await onA.close();
        await onB.close();
      }
      expect(await onA.running('key_1')).toBe(0);
    });

    it('keeps the accounts a key may spend', async () => {
      const store = await open();
      const { record, key } = await store.keys.create({
        name: 'team-a',
        policy: { accounts: ['main', 'backup'] },
      });
      expect(record.policy).toEqual({ accounts: ['main', 'backup'] });
      expect((await store.keys.findByHash(hashApiKey(key)))?.policy.accounts).toEqual(['main', 'backup']);
      const unrestricted = await store.keys.create({ name: 'any-account' });
      expect((await store.keys.get(unrestricted.record.id))?.policy.accounts).toBeUndefined();
    });

    it('keeps an expiry and a budget period, and changes a live key in place: given settings only, null clears', async () => {
      const location = await engine.newLocation();
      const a = await open(location);
      const b = engine.concurrentConnections ? await open(location) : a;
      const expiresAt = Date.UTC(2026, 1, 1);
      const { record, key } = await a.keys.create({
        name: 'team',
        policy: { rpm: 5, budgetUsd: 2, budgetPeriod: 'week', models: ['sonnet'], accounts: ['main'] },
        expiresAt,
      });
      expect(record).toMatchObject({ expiresAt, policy: { budgetPeriod: 'week' } });
      expect(await b.keys.findByHash(hashApiKey(key))).toMatchObject({ expiresAt, policy: { rpm: 5 } });

      const changed = await a.keys.update('team', {
        rpm: 60,
        models: ['opus', 'haiku'],
        accounts: null,
        budgetPeriod: 'month',
        reasoningField: 'both',
        expiresAt: null,
      });
      const policy = {
        rpm: 60,
        budgetUsd: 2,
        budgetPeriod: 'month',
        models: ['opus', 'haiku'],
        reasoningField: 'both',
      };
      expect(changed).toMatchObject({ id: record.id, expiresAt: null, policy });
      expect(changed?.policy.accounts).toBeUndefined();
      // Another gateway on the store sees the change on the key's next lookup.
      expect(await b.keys.findByHash(hashApiKey(key))).toMatchObject({ expiresAt: null, policy });
      expect((await b.keys.update(record.id, {}))?.policy).toEqual(changed?.policy);

      expect(await a.keys.update('nobody', { rpm: 1 })).toBeUndefined();
      await a.keys.revoke(record.id);
      expect(await a.keys.update(record.id, { rpm: 1 })).toBeUndefined();
      expect((await a.keys.get(record.id))?.policy.rpm).toBe(60);
    });

    it("sums a key's charges since an instant from the audit log", async () => {
      const store = await open();
      const { record } = await store.keys.create({ name: 'periodic' });
      const other = await store.keys.create({ name: 'other' });
      await store.audit.record(entry(record.id, { at: DAY1, costUsd: 0.25 }));
      await store.audit.record(entry(record.id, { at: DAY2, costUsd: 0.5, requestId: 'r2' }));
      await store.audit.record(entry(other.record.id, { at: DAY2, costUsd: 4, requestId: 'r3' }));
      expect(await store.keys.spentSince(record.id, DAY1)).toBeCloseTo(0.75);
      expect(await store.keys.spentSince(record.id, DAY2)).toBeCloseTo(0.5);
      expect(await store.keys.spentSince(record.id, DAY2 + 1)).toBe(0);
      expect(await store.keys.spentSince('key_unknown', 0)).toBe(0);
    });

    it('records the account of each run and sums usage per account and UTC day', async () => {
      const store = await open();
      const { record } = await store.keys.create({ name: 'a' });
      await store.audit.record(entry(record.id, { requestId: 'n0' }));
      await store.audit.record(
        entry(record.id, { requestId: 'm1', account: 'main', promptTokens: 10, costUsd: 0.25 }),
      );
      await store.audit.record(
        entry(record.id, { requestId: 'm2', account: 'main', status: 429, costUsd: 0 }),
      );
      await store.audit.record(entry(record.id, { requestId: 'b1', account: 'backup', completionTokens: 3 }));
      await store.audit.record(entry(record.id, { requestId: 'n1', at: DAY2, status: 400 }));
      expect((await store.audit.recent(4)).map((e) => [e.requestId, e.account])).toEqual([
        ['n1', undefined],
        ['b1', 'backup'],
        ['m2', 'main'],
        ['m1', 'main'],
      ]);
      expect((await store.audit.find('b1'))?.account).toBe('backup');
      expect(await store.audit.usageByAccount(DAY1, DAY2 + 1)).toEqual([
        {
          account: 'backup',
          day: '2026-01-01',
          requests: 1,
          errors: 0,
          promptTokens: 0,
          completionTokens: 3,
          costUsd: 0,
        },
        {
          account: 'main',
          day: '2026-01-01',
          requests: 2,
          errors: 1,
          promptTokens: 10,
          completionTokens: 0,
          costUsd: 0.25,
        },
        // Runs without an account come last on both engines.
        {
          account: null,
          day: '2026-01-01',
          requests: 1,
          errors: 0,
          promptTokens: 0,
          completionTokens: 0,
          costUsd: 0,
        },
        {
          account: null,
          day: '2026-01-02',
          requests: 1,
          errors: 1,
          promptTokens: 0,
          completionTokens: 0,
          costUsd: 0,
        },
      ]);
      // Per key, nothing changed.
      expect((await store.audit.usage(DAY1, DAY2 + 1)).map((row) => row.requests)).toEqual([4, 1]);
    });

    it('shares account states: an update builds on the stored state, one at a time across gateways', async () => {
      const location = await engine.newLocation();
      const a = await open(location);
      const b = engine.concurrentConnections ? await open(location) : a;
      expect((await a.accountStates.list()).size).toBe(0);

      const limited: AccountState = {
        status: 'limited',
        resetsAt: DAY2,
        utilization: 1,
        lastErrorCode: 'rate_limit',
        failures: 0,
        overloads: 0,
        updatedAt: DAY1,
      };
      expect(await a.accountStates.update('main', () => limited)).toEqual(limited);
      // The other gateway sees what this one found.
      expect(await b.accountStates.list()).toEqual(new Map([['main', limited]]));

      // Twenty updates racing from two gateways, each building on the last: none is lost.
      const bump = (previous: AccountState | undefined): AccountState => ({
        status: 'failing',
        failures: (previous?.failures ?? 0) + 1,
        overloads: 0,
        overloadsSince: DAY1,
        fingerprint: 'f00dfeedf00dfeed',
        updatedAt: DAY1,
      });
      await Promise.all(
        Array.from({ length: 20 }, (_, i) => (i % 2 ? a : b).accountStates.update('backup', bump)),
      );
      expect((await a.accountStates.list()).get('backup')).toEqual({
        status: 'failing',
        failures: 20,
        overloads: 0,
        overloadsSince: DAY1,
        fingerprint: 'f00dfeedf00dfeed',
        updatedAt: DAY1,
      });

      await b.accountStates.clear('main');
      expect([...(await a.accountStates.list()).keys()]).toEqual(['backup']);
      // Nothing in the table could be a credential: names, codes, numbers and a digest.
      const row = await a.accountStates.update('backup', (previous) => previous ?? bump(undefined));
      expect(Object.keys(row).sort()).toEqual([
        'failures',
        'fingerprint',
        'overloads',
        'overloadsSince',
        'status',
        'updatedAt',
      ]);
    });

    it("holds an account's maxConcurrency across gateways, apart from the keys' own slots", async () => {
      const location = await engine.newLocation();
      const a = await open(location);
      const b = engine.concurrentConnections ? await open(location) : a;
      const leasesA = a.concurrency({ instanceId: 'A' });
      const leasesB = b.concurrency({ instanceId: 'B' });
      const onA = accountSlots({ shared: leasesA });
      const onB = accountSlots({ shared: leasesB });
      const main: Account = {
        name: 'main',
        kind: 'subscription',
        env: {},
        fingerprint: 'f',
        maxConcurrency: 2,
      };
      try {
        const attempts = await Promise.all(
          Array.from({ length: 6 }, (_, i) => (i % 2 ? onA : onB).tryAcquire(main)),
        );
        const granted = attempts.filter((release) => release !== undefined);
        expect(granted).toHaveLength(2);
        expect(await leasesA.running('account:main')).toBe(2);
        // A key that happens to be called like the account has slots of its own.
        expect(await leasesB.tryAcquire('main', 1)).toBeDefined();
        granted[0]?.();
        await expect.poll(() => leasesB.running('account:main')).toBe(1);
        expect(await onB.tryAcquire(main)).toBeDefined();
        expect(await onA.tryAcquire(main)).toBeUndefined();
      } finally {
        await leasesA.close();
        await leasesB.close();
      }
    });

    // PostgreSQL only (registered only there, so SQLite reports no skipped test): SQLite serializes
    // writers, so no taker ever waits for a lock there.
    const onPostgres = engine.name.startsWith('postgres') ? it : undefined;
    onPostgres?.(
      'counts a lease committed while a taker waited for the key (PostgreSQL: lock, then count)',
      async () => {
        const location = await engine.newLocation();
        if (location.engine !== 'postgres') throw new Error('this case needs the PostgreSQL engine');
        const store = await openGatewayStore(location);
        opened.push(store);
        const leases = store.concurrency({ instanceId: 'A' });
        // Another gateway in the middle of taking the key's last slot: it holds the key's lock.
        const other = new pg.Client({ connectionString: location.url });
        await other.connect();
        try {
          await other.query('BEGIN');
          await other.query(`SELECT pg_advisory_xact_lock(hashtext('lease:key_1'))`);
          const taking = leases.tryAcquire('key_1', 1);
          await waitForAdvisoryLockWaiter(other);
          await other.query(
            `INSERT INTO run_leases (id, key_id, instance_id, expires_at) VALUES ('theirs', 'key_1', 'B', $1)`,
            [Date.now() + 30_000],
          );
          await other.query('COMMIT');
          // A count from before the wait would see no lease and over-admit.
          expect(await taking).toBeUndefined();
          expect(await leases.running('key_1')).toBe(1);
        } finally {
          await other.end();
          await leases.close();
        }
      },
    );

    it('mirrors transcripts: entries come back deep-equal in append order, retried uuids once', async () => {
      const store = await open();
      await trackSessions(store, 'sess-1');
      const key = { projectKey: 'proj', sessionId: 'sess-1' };
      const first = {
        type: 'user',
        uuid: 'u1',
        message: { role: 'user', content: [{ type: 'text', text: 'hi' }] },
      };
      const title = { type: 'custom-title', title: 'no uuid' };
      const second = { type: 'assistant', uuid: 'u2', nested: { a: [1, 2, { b: null }], z: 'ü' } };
      expect(await store.transcripts.load(key)).toBeNull();
      await store.transcripts.append(key, [first, title]);
      await store.transcripts.append(key, [first, second, title]);
      expect(await store.transcripts.load(key)).toEqual([first, title, second, title]);
      // Another project or session is another transcript.
      expect(await store.transcripts.load({ projectKey: 'other', sessionId: 'sess-1' })).toBeNull();
      await store.transcripts.append({ ...key, subpath: 'subagents/agent-1' }, [
        { type: 'user', uuid: 'u1' },
      ]);
      expect(await store.transcripts.load(key)).toHaveLength(4);
      expect(await store.transcripts.listSubkeys?.(key)).toEqual(['subagents/agent-1']);
      expect(await store.transcripts.load({ ...key, subpath: 'subagents/agent-1' })).toEqual([
        { type: 'user', uuid: 'u1' },
      ]);
    });

    it('lists and deletes mirrored sessions per project', async () => {
      const store = await open();
      await trackSessions(store, 'one', 'two', 'x');
      const one = { projectKey: 'proj', sessionId: 'one' };
      const two = { projectKey: 'proj', sessionId: 'two' };
      await store.transcripts.append(one, [{ type: 'user', uuid: 'a' }]);
      await store.transcripts.append({ ...one, subpath: 'sub' }, [{ type: 'user', uuid: 'b' }]);
      await store.transcripts.append(two, [{ type: 'user', uuid: 'c' }]);
      await store.transcripts.append({ projectKey: 'elsewhere', sessionId: 'x' }, [{ type: 'user' }]);
      const listed = await store.transcripts.listSessions?.('proj');
      expect(listed?.map((s) => s.sessionId).sort()).toEqual(['one', 'two']);
      expect(listed?.every((s) => Number.isInteger(s.mtime) && s.mtime > 0)).toBe(true);
      await store.transcripts.delete?.({ ...one, subpath: 'sub' });
      expect(await store.transcripts.listSubkeys?.(one)).toEqual([]);
      expect(await store.transcripts.load(one)).toHaveLength(1);
      await store.transcripts.append({ ...one, subpath: 'sub' }, [{ type: 'user', uuid: 'b' }]);
      await store.transcripts.delete?.(one);
      expect(await store.transcripts.load(one)).toBeNull();
      expect(await store.transcripts.listSubkeys?.(one)).toEqual([]);
      expect(await store.transcripts.load(two)).toHaveLength(1);
    });

    it('keeps a stored response for its owner only, until it expires or is deleted', async () => {
      const store = await open();
      const record = (id: string, overrides: Partial<StoredResponse> = {}): StoredResponse => ({
        id,
        ownerId: 'key-a',
        previousResponseId: null,
        inputItems: [{ type: 'message', role: 'user', content: 'hi' }],
        response: { id, object: 'response', output: [] },
        status: 'completed',
        background: false,
        createdAt: 1_000,
        expiresAt: 2_000,
        ...overrides,
      });
      await store.responses.save(record('resp_1', { previousResponseId: 'resp_0' }));
      expect(await store.responses.get('resp_1', 'key-a', 1_500)).toEqual(
        record('resp_1', { previousResponseId: 'resp_0' }),
      );
      expect(await store.responses.get('resp_1', 'key-b', 1_500)).toBeUndefined();
      expect(await store.responses.get('resp_1', 'key-a', 2_000)).toBeUndefined();
      expect(await store.responses.delete('resp_1', 'key-b')).toBe(false);
      expect(await store.responses.delete('resp_1', 'key-a')).toBe(true);
      expect(await store.responses.get('resp_1', 'key-a', 1_500)).toBeUndefined();

      // A chain is extended as a whole, never shortened; the sweep forgets what expired.
      await store.responses.save(record('resp_2'));
      await store.responses.save(record('resp_3', { expiresAt: 9_000 }));
      await store.responses.save(record('resp_4', { ownerId: 'key-b' }));
      await store.responses.extend(['resp_2', 'resp_3', 'resp_4'], 'key-a', 5_000);
      expect((await store.responses.get('resp_2', 'key-a', 4_000))?.expiresAt).toBe(5_000);
      expect((await store.responses.get('resp_3', 'key-a', 4_000))?.expiresAt).toBe(9_000);
      expect(await store.responses.get('resp_4', 'key-b', 4_000)).toBeUndefined();
      expect(await store.responses.sweep(6_000)).toBe(2);
      expect(await store.responses.get('resp_3', 'key-a', 6_000)).toBeDefined();
    });

    it('keeps a background response changing while it runs, with its event log, and lists the running ones', async () => {
      const store = await open();
      const background = (id: string): StoredResponse => ({
        id,
        ownerId: 'key-a',
        previousResponseId: null,
        inputItems: [],
        response: { id, status: 'queued' },
        status: 'queued',
        background: true,
        createdAt: 1_000,
        expiresAt: 9_000,
      });
      await store.responses.save(background('resp_bg'));
      await store.responses.save(background('resp_other'));
      expect((await store.responses.running()).map((record) => record.id).sort()).toEqual([
        'resp_bg',
        'resp_other',
      ]);
      await store.responses.appendEvent('resp_bg', { seq: 0, event: { type: 'response.created' } });
      await store.responses.appendEvent('resp_bg', { seq: 1, event: { type: 'response.in_progress' } });
      expect(await store.responses.events('resp_bg', 0)).toEqual([
        { seq: 1, event: { type: 'response.in_progress' } },
      ]);
      expect(
        await store.responses.update('resp_bg', { id: 'resp_bg', status: 'in_progress' }, 'in_progress'),
      ).toBe(true);
      expect(
        await store.responses.update('resp_bg', { id: 'resp_bg', status: 'cancelled' }, 'cancelled'),
      ).toBe(true);
      // Ended: the run's own late end does not overwrite the cancel.
      expect(
        await store.responses.update('resp_bg', { id: 'resp_bg', status: 'completed' }, 'completed'),
      ).toBe(false);
      expect(await store.responses.get('resp_bg', 'key-a', 2_000)).toMatchObject({
        status: 'cancelled',
        background: true,
        response: { status: 'cancelled' },
      });
      expect((await store.responses.running()).map((record) => record.id)).toEqual(['resp_other']);
      expect(await store.responses.delete('resp_bg', 'key-a')).toBe(true);
      expect(await store.responses.events('resp_bg', -1)).toEqual([]);
    });

    it('keeps stored chat completions per owner: list by model and metadata, in order, paged, updated, deleted, swept', async () => {
      const store = await open();
      const completion = (id: string, createdAt: number, overrides: Partial<StoredChatCompletion> = {}) => ({
        id,
        ownerId: 'key-a',
        model: 'sonnet',
        metadata: { topic: 'weather' },
        completion: { id, object: 'chat.completion' },
        messages: [{ role: 'user', content: 'hi' }],
        createdAt,
        expiresAt: 9_000,
        ...overrides,
      });
      await store.chatCompletions.save(completion('c1', 1_000));
      await store.chatCompletions.save(completion('c2', 2_000, { model: 'haiku' }));
      await store.chatCompletions.save(
        completion('c3', 2_000, { metadata: { topic: 'news', "odd'key": 'x' } }),
      );
      await store.chatCompletions.save(completion('c4', 3_000, { ownerId: 'key-b' }));
      await store.chatCompletions.save(completion('c5', 4_000, { expiresAt: 5_000 }));
      const ids = async (query: Partial<ChatCompletionQuery>) =>
        (
          await store.chatCompletions.list({
            ownerId: 'key-a',
            now: 6_000,
            order: 'asc',
            limit: 10,
            ...query,
          })
        ).map((record) => record.id);

      expect(await ids({})).toEqual(['c1', 'c2', 'c3']);
      expect(await ids({ order: 'desc' })).toEqual(['c3', 'c2', 'c1']);
      expect(await ids({ model: 'haiku' })).toEqual(['c2']);
      expect(await ids({ metadata: { topic: 'weather' } })).toEqual(['c1', 'c2']);
      expect(await ids({ metadata: { topic: 'news', "odd'key": 'x' } })).toEqual(['c3']);
      expect(await ids({ limit: 2 })).toEqual(['c1', 'c2']);
      expect(await ids({ after: { id: 'c2', createdAt: 2_000 } })).toEqual(['c3']);
      expect(await ids({ order: 'desc', after: { id: 'c3', createdAt: 2_000 } })).toEqual(['c2', 'c1']);

      expect(await store.chatCompletions.get('c4', 'key-a', 6_000)).toBeUndefined();
      expect(await store.chatCompletions.updateMetadata('c1', 'key-b', { x: 'y' })).toBe(false);
      expect(await store.chatCompletions.updateMetadata('c1', 'key-a', { topic: 'rain' })).toBe(true);
      expect(await store.chatCompletions.get('c1', 'key-a', 6_000)).toMatchObject({
        metadata: { topic: 'rain' },
        messages: [{ role: 'user', content: 'hi' }],
        completion: { id: 'c1' },
      });
      expect(await store.chatCompletions.delete('c1', 'key-b')).toBe(false);
      expect(await store.chatCompletions.delete('c1', 'key-a')).toBe(true);
      expect(await store.chatCompletions.sweep(6_000)).toBe(1);
      expect(await ids({ now: 1 })).toEqual(['c2', 'c3']);
    });

    it('answers the readiness probe while open and refuses once closed', async () => {
      const store = await open();
      expect(await store.probeWritable()).toBe(true);
      await store.close();
      expect(store.isOpen).toBe(false);
      expect(await store.probeWritable()).toBe(false);
    });

    const nativeSession = (id: string, ownerId: string, at: number): NativeSessionRecord => ({
      id,
      ownerId,
      model: 'sonnet',
      createdAt: at,
      lastActivityAt: at,
      expiresAt: at + 1000,
      usage: { ...ZERO_USAGE },
      costUsd: 0,
      messageCount: 0,
    });
    const turnUsage = { ...ZERO_USAGE, inputTokens: 5, outputTokens: 2 };
    const turn = (n: number, at: number, costUsd = 0.5) => ({
      user: { role: 'user' as const, content: `q${n}`, at },
      assistant: { role: 'assistant' as const, content: `a${n}`, at: at + 10 },
      usage: turnUsage,
      costUsd,
      expiresAt: 5000 + n,
    });

    it('keeps native sessions, their turns, usage and cost across a reopen, for another gateway', async () => {
      const location = await engine.newLocation();
      const a = await open(location);
      await a.nativeSessions.create({
        ...nativeSession('a', 'key-1', 100),
        systemPrompt: 'Be brief.',
        agent: { cwd: '/w', tools: ['Read'], permissionMode: 'default', maxTurns: 3 },
      });
      for (const n of [1, 2]) await a.nativeSessions.recordTurn('a', turn(n, 100 + n));
      await a.close();

      const b = await open(location);
      expect(await b.nativeSessions.get('a')).toEqual({
        ...nativeSession('a', 'key-1', 100),
        systemPrompt: 'Be brief.',
        agent: { cwd: '/w', tools: ['Read'], permissionMode: 'default', maxTurns: 3 },
        lastActivityAt: 112,
        expiresAt: 5002,
        usage: { ...turnUsage, inputTokens: 10, outputTokens: 4 },
        costUsd: 1,
        messageCount: 4,
      });
      expect(await b.nativeSessions.messages('a')).toEqual([
        { role: 'user', content: 'q1', at: 101 },
        { role: 'assistant', content: 'a1', at: 111 },
        { role: 'user', content: 'q2', at: 102 },
        { role: 'assistant', content: 'a2', at: 112 },
      ]);
      expect(await b.nativeSessions.get('missing')).toBeUndefined();
    });

    it('records turns of one native session from two gateways at once without losing one', async () => {
      const location = await engine.newLocation();
      const a = await open(location);
      const b = engine.concurrentConnections ? await open(location) : a;
      await a.nativeSessions.create(nativeSession('s', 'k', 1));
      await Promise.all(
        [1, 2, 3, 4].map((n) => (n % 2 ? a : b).nativeSessions.recordTurn('s', turn(n, 10 * n, 0.25))),
      );
      const record = await a.nativeSessions.get('s');
      expect(record).toMatchObject({
        messageCount: 8,
        costUsd: 1,
        usage: { inputTokens: 20, outputTokens: 8 },
      });
      const messages = await b.nativeSessions.messages('s');
      expect(messages.map((m) => m.content).sort()).toEqual(['a1', 'a2', 'a3', 'a4', 'q1', 'q2', 'q3', 'q4']);
      // Each turn's two messages stay together, the question first.
      for (let i = 0; i < messages.length; i += 2) {
        expect(messages[i]?.content.replace('q', 'a')).toBe(messages[i + 1]?.content);
      }
      // A turn for a session that is gone is dropped, not an error.
      await a.nativeSessions.recordTurn('gone', turn(9, 1));
      expect(await a.nativeSessions.messages('gone')).toEqual([]);
    });

    it('lists and counts native sessions per owner, least recently active first, and finds expired ones', async () => {
      const store = await open();
      await store.nativeSessions.create(nativeSession('old', 'k1', 10));
      await store.nativeSessions.create(nativeSession('new', 'k1', 20));
      await store.nativeSessions.create(nativeSession('other', 'k2', 5));
      await store.nativeSessions.touch('old', 30, 1030);
      expect((await store.nativeSessions.list('k1')).map((s) => s.id)).toEqual(['new', 'old']);
      expect((await store.nativeSessions.list()).map((s) => s.id)).toEqual(['other', 'new', 'old']);
      expect(await store.nativeSessions.count('k1')).toBe(2);
      expect(await store.nativeSessions.count('nobody')).toBe(0);
      expect(await store.nativeSessions.count()).toBe(3);
      expect((await store.nativeSessions.expired(1020)).map((s) => s.id).sort()).toEqual(['new', 'other']);
      expect(await store.nativeSessions.expired(0)).toEqual([]);
    });

    it('counts native sessions ever created, by every gateway, ended ones included', async () => {
      const location = await engine.newLocation();
      const a = await open(location);
      const b = engine.concurrentConnections ? await open(location) : a;
      await Promise.all(
        ['s1', 's2', 's3'].map((id, n) => (n % 2 ? a : b).nativeSessions.create(nativeSession(id, 'k', n))),
      );
      await a.nativeSessions.delete('s2');
      expect(await b.nativeSessions.count()).toBe(2);
      expect(await b.nativeSessions.createdCount()).toBe(3);
      expect(await a.nativeSessions.createdCount()).toBe(3);
    });

    it('deletes a native session with its messages, and only that one', async () => {
      const store = await open();
      await store.nativeSessions.create(nativeSession('a', 'k', 1));
      await store.nativeSessions.create(nativeSession('b', 'k', 1));
      await store.nativeSessions.recordTurn('a', turn(1, 2));
      await store.nativeSessions.recordTurn('b', turn(1, 2));
      expect(await store.nativeSessions.delete('a')).toBe(true);
      expect(await store.nativeSessions.delete('a')).toBe(false);
      expect(await store.nativeSessions.get('a')).toBeUndefined();
      expect(await store.nativeSessions.messages('a')).toEqual([]);
      // A new session reusing the id starts with an empty transcript.
      await store.nativeSessions.create(nativeSession('a', 'k', 50));
      expect(await store.nativeSessions.messages('a')).toEqual([]);
      expect(await store.nativeSessions.messages('b')).toHaveLength(2);
    });

    const task = (id: string, ownerId: string, createdAt: number) => ({
      id,
      ownerId,
      status: 'running' as const,
      request: { prompt: id },
      result: null,
      createdAt,
      updatedAt: createdAt,
    });

    it("keeps a task and its event log in order, and lists only the owner's tasks, newest first", async () => {
      const location = await engine.newLocation();
      const a = await open(location);
      await a.tasks.create(task('a', 'k1', 1));
      await a.tasks.create(task('b', 'k1', 2));
      await a.tasks.create(task('c', 'k2', 3));
      await a.tasks.appendEvent('a', { seq: 1, event: 'text_delta', data: { text: 'hi' }, at: 5 });
      await a.tasks.appendEvent('a', { seq: 2, event: 'complete', data: { status: 'completed' }, at: 6 });
      await a.close();
      // Another gateway (or a restart) sees the same tasks and events.
      const b = await open(location);
      expect((await b.tasks.list('k1', 10)).map((t) => t.id)).toEqual(['b', 'a']);
      expect((await b.tasks.list('k1', 1)).map((t) => t.id)).toEqual(['b']);
      expect((await b.tasks.list(undefined, 10)).map((t) => t.id)).toEqual(['c', 'b', 'a']);
      expect(await b.tasks.events('a', 0)).toEqual([
        { seq: 1, event: 'text_delta', data: { text: 'hi' }, at: 5 },
        { seq: 2, event: 'complete', data: { status: 'completed' }, at: 6 },
      ]);
      expect((await b.tasks.events('a', 1)).map((e) => e.event)).toEqual(['complete']);
      expect(await b.tasks.get('a')).toEqual(task('a', 'k1', 1));
      expect(await b.tasks.get('missing')).toBeUndefined();
      // A task's events are numbered once: the same number twice is refused.
      await expect(
        b.tasks.appendEvent('a', { seq: 2, event: 'complete', data: {}, at: 7 }),
      ).rejects.toThrow();
    });

    it("ends a task once: a cancel racing the run's own end keeps the first", async () => {
      const store = await open();
      await store.tasks.create(task('a', 'k1', 1));
      await Promise.all([
        store.tasks.finish('a', 'cancelled', { why: 'cancel' }, 2),
        store.tasks.finish('a', 'completed', { why: 'late' }, 3),
      ]);
      expect(await store.tasks.get('a')).toMatchObject({
        status: 'cancelled',
        result: { why: 'cancel' },
        updatedAt: 2,
      });
    });

    it('fails the running tasks a stopped gateway left; on a shared database only its own', async () => {
      const location = await engine.newLocation();
      const a = await openGatewayStore(location, { instanceId: 'gw-a' });
      const b = await openGatewayStore(location, { instanceId: 'gw-b' });
      try {
        await a.tasks.create(task('a1', 'k1', 1));
        await a.tasks.create(task('a2', 'k1', 2));
        await a.tasks.finish('a2', 'completed', {}, 3);
        await b.tasks.create(task('b1', 'k1', 4));
        const stopped = { error: { code: 'gateway_stopped' } };
        // A restarts: its running task fails; B's keeps running where the database is shared.
        const shared = engine.name.startsWith('postgres');
        expect(await a.tasks.failRunning(stopped, 5)).toBe(shared ? 1 : 2);
        expect(await a.tasks.get('a1')).toMatchObject({ status: 'failed', result: stopped, updatedAt: 5 });
        expect((await a.tasks.get('a2'))?.status).toBe('completed');
        expect((await b.tasks.get('b1'))?.status).toBe(shared ? 'running' : 'failed');
      } finally {
        await a.close();
        await b.close();
      }
    });

    it('keeps a run from its admission on; a restart closes and charges the rows it left running, on a shared database only its own', async () => {
      const location = await engine.newLocation();
      const a = await openGatewayStore(location, { instanceId: 'gw-a' });
      const b = await openGatewayStore(location, { instanceId: 'gw-b' });
      try {
        const { record } = await a.keys.create({ name: 'k' });
        const spent = async () => (await a.keys.get(record.id))?.spentUsd;
        const admitted = (runKey: string, requestId: string) => ({
          ...entry(record.id, { requestId, status: 0, stream: true }),
          runKey,
        });
        await a.audit.begin(admitted('a-done', 'r1'));
        await a.audit.begin(admitted('a-left', 'r2'));
        await b.audit.begin(admitted('b-left', 'r3'));
        // Running rows are in the log, but neither in usage nor charged.
        expect(await a.audit.find('r2')).toMatchObject({ running: true, status: 0 });
        expect(await a.audit.usage(DAY1, DAY2)).toEqual([]);
        const known = { promptTokens: 7, completionTokens: 3, costUsd: 0.125, durationMs: 900 };
        await a.audit.progress('a-left', known);
        await b.audit.progress('b-left', { ...known, costUsd: 0.5 });

        const done = { runKey: 'a-done', requestId: 'r1', stream: true, promptTokens: 10, costUsd: 0.25 };
        await a.audit.record(entry(record.id, done));
        // Progress that arrives after the end changes nothing.
        await a.audit.progress('a-done', { ...known, costUsd: 9 });
        const completed = await a.audit.find('r1');
        expect(completed).toMatchObject({ status: 200, promptTokens: 10, costUsd: 0.25 });
        expect(completed?.running).toBeUndefined();
        expect(await spent()).toBeCloseTo(0.25);
        // A run whose admission row never made it to the store is appended when it ends.
        await a.audit.record(entry(record.id, { runKey: 'never-begun', requestId: 'r4', costUsd: 0.5 }));
        expect(await spent()).toBeCloseTo(0.75);

        const shared = engine.name.startsWith('postgres');
        const interrupted = { status: 503, errorCode: 'gateway_interrupted' };
        expect(await a.audit.interruptRunning(interrupted)).toBe(shared ? 1 : 2);
        const left = await a.audit.find('r2');
        expect(left).toMatchObject({ ...known, status: 503, errorCode: 'gateway_interrupted' });
        expect(left?.running).toBeUndefined();
        expect((await a.audit.find('r3'))?.running).toBe(shared ? true : undefined);
        expect(await spent()).toBeCloseTo(shared ? 0.875 : 1.375);
        expect(await a.audit.interruptRunning(interrupted)).toBe(0);
        expect(await a.audit.usage(DAY1, DAY2)).toEqual([
          expect.objectContaining({ requests: shared ? 3 : 4, errors: shared ? 1 : 2 }),
        ]);
      } finally {
        await a.close();
        await b.close();
      }
    });
  });
}

describe('SQLite files from before Kysely migrations', () => {
  it('are adopted as they are: keys and audit rows survive, the schema is not recreated', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cg-legacy-'));
    const file = path.join(dir, 'gateway.db');
    try {
      // The schema the gateway shipped with (user_version 1), with one key and one audit row.
      const legacy = new Database(file);
      legacy.exec(`
        CREATE TABLE api_keys (id TEXT PRIMARY KEY, name TEXT NOT NULL, key_hash TEXT NOT NULL UNIQUE,
          key_prefix TEXT NOT NULL, admin INTEGER NOT NULL DEFAULT 0, rpm INTEGER, concurrency INTEGER,
          budget_usd REAL, models TEXT, agent_tools TEXT, spent_usd REAL NOT NULL DEFAULT 0,
          created_at INTEGER NOT NULL, revoked_at INTEGER);
        CREATE UNIQUE INDEX api_keys_active_name ON api_keys(name) WHERE revoked_at IS NULL;
        CREATE TABLE audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL,
          request_id TEXT NOT NULL, key_id TEXT NOT NULL, method TEXT NOT NULL, path TEXT NOT NULL,
          model TEXT, stream INTEGER NOT NULL DEFAULT 0, status INTEGER NOT NULL, error_code TEXT,
          prompt_tokens INTEGER NOT NULL DEFAULT 0, completion_tokens INTEGER NOT NULL DEFAULT 0,
          cost_usd REAL NOT NULL DEFAULT 0, duration_ms INTEGER NOT NULL, time_to_first_chunk_ms INTEGER,
          queue_wait_ms INTEGER, prompt TEXT);
        CREATE INDEX audit_log_at ON audit_log(at);
        CREATE INDEX audit_log_key_at ON audit_log(key_id, at);
        CREATE TABLE readiness_probe (id INTEGER PRIMARY KEY CHECK (id = 1), checked_at INTEGER NOT NULL);
        PRAGMA user_version = 1;
      `);
      legacy
        .prepare(
          `INSERT INTO api_keys (id, name, key_hash, key_prefix, rpm, models, spent_usd, created_at)
           VALUES ('key_old', 'old', ?, 'sk-cg-abcdef', 7, '["sonnet"]', 0.5, 1000)`,
        )
        .run(hashApiKey('sk-cg-old-key'));
      legacy
        .prepare(
          `INSERT INTO audit_log (at, request_id, key_id, method, path, status, cost_usd, duration_ms)
           VALUES (?, 'old-req', 'key_old', 'POST', '/v1/chat/completions', 200, 0.5, 5)`,
        )
        .run(DAY1);
      legacy.close();

      const store = await openGatewayStore({ engine: 'sqlite', file });
      try {
        expect(await store.keys.findByHash(hashApiKey('sk-cg-old-key'))).toMatchObject({
          id: 'key_old',
          spentUsd: 0.5,
          policy: { rpm: 7, models: ['sonnet'] },
        });
        expect(await store.audit.usage(DAY1, DAY1 + 1)).toMatchObject([{ keyId: 'key_old', requests: 1 }]);
        await store.audit.record(entry('key_old', { costUsd: 0.25 }));
        expect((await store.keys.get('key_old'))?.spentUsd).toBeCloseTo(0.75);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("keep the native sessions main's sqlite-native-sessions.ts created, and new turns append to them", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cg-legacy-native-'));
    const file = path.join(dir, 'gateway.db');
    try {
      // The tables as the pre-Kysely native store created them on open (IF NOT EXISTS, no version).
      const legacy = new Database(file);
      legacy.exec(`
        CREATE TABLE native_sessions (id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, model TEXT NOT NULL,
          system_prompt TEXT, agent TEXT, created_at INTEGER NOT NULL, last_activity_at INTEGER NOT NULL,
          expires_at INTEGER NOT NULL, usage TEXT NOT NULL, cost_usd REAL NOT NULL DEFAULT 0,
          message_count INTEGER NOT NULL DEFAULT 0);
        CREATE INDEX native_sessions_owner ON native_sessions(owner_id, last_activity_at);
        CREATE INDEX native_sessions_expires ON native_sessions(expires_at);
        CREATE TABLE native_session_messages (
          session_id TEXT NOT NULL REFERENCES native_sessions(id) ON DELETE CASCADE,
          seq INTEGER NOT NULL, role TEXT NOT NULL, content TEXT NOT NULL, at INTEGER NOT NULL,
          PRIMARY KEY (session_id, seq));
      `);
      legacy
        .prepare(
          `INSERT INTO native_sessions (id, owner_id, model, created_at, last_activity_at, expires_at, usage,
             cost_usd, message_count) VALUES ('old', 'k', 'sonnet', 1, 3, 9000, ?, 0.5, 2)`,
        )
        .run(JSON.stringify({ ...ZERO_USAGE, inputTokens: 4 }));
      legacy
        .prepare(
          `INSERT INTO native_session_messages (session_id, seq, role, content, at)
           VALUES ('old', 0, 'user', 'hi', 2), ('old', 1, 'assistant', 'hello', 3)`,
        )
        .run();
      legacy.close();

      const store = await openGatewayStore({ engine: 'sqlite', file });
      try {
        await store.nativeSessions.recordTurn('old', {
          user: { role: 'user', content: 'again', at: 4 },
          assistant: { role: 'assistant', content: 'sure', at: 5 },
          usage: { ...ZERO_USAGE, inputTokens: 1 },
          costUsd: 0.25,
          expiresAt: 9999,
        });
        expect(await store.nativeSessions.get('old')).toMatchObject({
          messageCount: 4,
          costUsd: 0.75,
          usage: { inputTokens: 5 },
          lastActivityAt: 5,
          expiresAt: 9999,
        });
        expect((await store.nativeSessions.messages('old')).map((m) => m.content)).toEqual([
          'hi',
          'hello',
          'again',
          'sure',
        ]);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with the tasks schema (version 3) keep their tasks and key profiles', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'cg-legacy-tasks-'));
    const file = path.join(dir, 'gateway.db');
    try {
      const legacy = new Database(file);
      legacy.exec(`
        CREATE TABLE api_keys (id TEXT PRIMARY KEY, name TEXT NOT NULL, key_hash TEXT NOT NULL UNIQUE,
          key_prefix TEXT NOT NULL, admin INTEGER NOT NULL DEFAULT 0, rpm INTEGER, concurrency INTEGER,
          budget_usd REAL, models TEXT, agent_tools TEXT, spent_usd REAL NOT NULL DEFAULT 0,
          created_at INTEGER NOT NULL, revoked_at INTEGER, profile TEXT);
        CREATE TABLE tasks (id TEXT PRIMARY KEY, owner_id TEXT NOT NULL, status TEXT NOT NULL,
          request TEXT NOT NULL, result TEXT, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);
        CREATE INDEX tasks_owner_created ON tasks(owner_id, created_at);
        CREATE INDEX tasks_status ON tasks(status);
        CREATE TABLE task_events (task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
          seq INTEGER NOT NULL, event TEXT NOT NULL, data TEXT NOT NULL, at INTEGER NOT NULL,
          PRIMARY KEY (task_id, seq));
        INSERT INTO tasks VALUES ('t1', 'k', 'running', '{"prompt":"x"}', NULL, 1, 1);
        INSERT INTO task_events VALUES ('t1', 1, 'text_delta', '{"text":"hi"}', 2);
        PRAGMA user_version = 3;
      `);
      legacy
        .prepare(
          `INSERT INTO api_keys (id, name, key_hash, key_prefix, profile, created_at)
           VALUES ('key_p', 'p', ?, 'sk-cg-abcdef', 'read-only', 1000)`,
        )
        .run(hashApiKey('sk-cg-profiled'));
      legacy.close();

      const store = await openGatewayStore({ engine: 'sqlite', file }, { instanceId: 'anywhere' });
      try {
        expect((await store.keys.findByHash(hashApiKey('sk-cg-profiled')))?.policy).toEqual({
          profile: 'read-only',
        });
        expect(await store.tasks.events('t1', 0)).toEqual([
          { seq: 1, event: 'text_delta', data: { text: 'hi' }, at: 2 },
        ]);
        // One machine: a restart fails every task left running, whatever instance id it has now.
        expect(await store.tasks.failRunning({ error: 'stopped' }, 3)).toBe(1);
        expect(await store.tasks.get('t1')).toMatchObject({ status: 'failed', request: { prompt: 'x' } });
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Bounded: until some session waits for an advisory lock (50 x 100 ms). */
async function waitForAdvisoryLockWaiter(client: pg.Client): Promise<void> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const { rows } = await client.query(
      `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND NOT granted`,
    );
    if ((rows[0] as { n: number }).n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('no taker waited for the lock');
}
