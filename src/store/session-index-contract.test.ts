import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PostgresCluster,
  postgresTestsEnabled,
  startPostgresCluster,
} from '../../test/helpers/postgres-cluster.js';
import type { EvictedSession } from '../contract/ports/conversations.js';
import type { ClaudeTurn, RunPlan } from '../contract/run-plan.js';
import type { StoreLocation } from './engine.js';
import { type GatewayStore, openGatewayStore } from './gateway-store.js';
import type { SharedSessionIndexOptions } from './shared-session-index.js';

/** The shared conversation index: the in-memory index's rules, across gateways, on both engines. */
const user = (text: string): ClaudeTurn => ({ role: 'user', content: [{ type: 'text', text }] });
const assistant = (text: string): ClaudeTurn => ({ role: 'assistant', content: [{ type: 'text', text }] });

function plan(...turns: ClaudeTurn[]): RunPlan {
  const prompt = turns.at(-1);
  if (prompt?.role !== 'user') throw new Error('a plan ends with a user turn');
  return {
    model: 'sonnet',
    history: turns.slice(0, -1),
    prompt: prompt.content,
    thinking: 'disabled',
    clientTools: [],
  };
}

interface Engine {
  name: string;
  enabled: boolean;
  concurrentConnections: boolean;
  setup(): Promise<void>;
  teardown(): Promise<void>;
  newLocation(): Promise<StoreLocation>;
}

let sqliteDir = '';
let cluster: PostgresCluster | undefined;
const engines: Engine[] = [
  {
    name: 'sqlite',
    enabled: true,
    concurrentConnections: false,
    setup: async () => {
      sqliteDir = mkdtempSync(path.join(os.tmpdir(), 'cg-index-'));
    },
    teardown: async () => rmSync(sqliteDir, { recursive: true, force: true }),
    newLocation: async () => ({ engine: 'sqlite', file: path.join(sqliteDir, `${Math.random()}.db`) }),
  },
  {
    name: 'postgres',
    enabled: postgresTestsEnabled(),
    concurrentConnections: true,
    setup: async () => {
      cluster = await startPostgresCluster();
    },
    teardown: async () => cluster?.stop(),
    newLocation: async () => {
      if (!cluster) throw new Error('no cluster');
      return { engine: 'postgres', url: await cluster.createDatabase() };
    },
  },
];

for (const engine of engines) {
  describe.skipIf(!engine.enabled)(`shared conversation index on ${engine.name}`, () => {
    const stores: GatewayStore[] = [];
    beforeAll(() => engine.setup(), 60_000);
    afterAll(async () => {
      for (const store of stores) await store.close();
      await engine.teardown();
    }, 30_000);

    /** Two gateways on one database (one connection on SQLite, which is one machine anyway). */
    async function gateways(overrides: Partial<SharedSessionIndexOptions> = {}) {
      const location = await engine.newLocation();
      const clock = { at: 1_000_000 };
      let ids = 0;
      const evicted: EvictedSession[] = [];
      const open = async () => {
        const store = await openGatewayStore(location, { now: () => clock.at });
        stores.push(store);
        return store;
      };
      const storeA = await open();
      const storeB = engine.concurrentConnections ? await open() : storeA;
      const options: Omit<SharedSessionIndexOptions, 'engine'> = {
        ttlMs: 60_000,
        maxCount: 10,
        claimTtlMs: 600_000,
        newId: () => `session-${++ids}`,
        onEvict: (sessions) => evicted.push(...sessions),
        ...overrides,
      };
      return {
        a: storeA.sessionIndex(options),
        b: storeB.sessionIndex(options),
        store: storeA,
        storeB,
        location,
        evicted,
        advance: (ms: number) => {
          clock.at += ms;
        },
      };
    }

    it('hands a claimed session its transcript for the resume (PostgreSQL): one load, one listing, then the database', async () => {
      const { a, b, store, storeB } = await gateways();
      const first = await a.begin(plan(user('hi')), { callerId: 'key_1' });
      await first.commit(assistant('hello'));
      const key = { projectKey: '-workspace', sessionId: first.session.id };
      const main = [
        { type: 'user', uuid: 'u1', message: { role: 'user', content: 'hi' } },
        { type: 'assistant', uuid: 'a1', message: { role: 'assistant', content: 'hello' } },
      ];
      await store.transcripts.append(key, main);
      await store.transcripts.append({ ...key, subpath: 'subagents/agent-x' }, [
        { type: 'user', uuid: 's1' },
      ]);

      const second = await b.begin(plan(user('hi'), assistant('hello'), user('again')), {
        callerId: 'key_1',
      });
      expect(second.session).toEqual({ id: first.session.id, continues: true, version: 1 });
      // The rows go away: what B's resume still gets was read with the claim.
      await store.transcripts.delete?.(key);
      const prefetched = engine.name === 'postgres';
      expect(await storeB.transcripts.load({ ...key, projectKey: '-elsewhere' })).toBeNull();
      expect(await storeB.transcripts.load(key)).toEqual(prefetched ? main : null);
      expect(await storeB.transcripts.listSubkeys?.(key)).toEqual(prefetched ? ['subagents/agent-x'] : []);
      // Given once: the next asks go to the database.
      expect(await storeB.transcripts.load(key)).toBeNull();
      expect(await storeB.transcripts.listSubkeys?.(key)).toEqual([]);
      await second.commit(assistant('again'));

      // A claim that ends without a resume leaves nothing behind for a later one.
      await store.transcripts.append(key, main);
      const third = await b.begin(
        plan(user('hi'), assistant('hello'), user('again'), assistant('again'), user('more')),
        { callerId: 'key_1' },
      );
      expect(third.session.continues).toBe(true);
      await third.cancel();
      await store.transcripts.delete?.(key);
      expect(await storeB.transcripts.load(key)).toBeNull();
    });

    it('continues on gateway B a conversation whose last turn ran on A', async () => {
      const { a, b } = await gateways();
      const first = await a.begin(plan(user('hi')), { callerId: 'key_1' });
      expect(first.session).toEqual({ id: 'session-1', continues: false, version: 0 });
      await first.commit(assistant('hello'));
      const second = await b.begin(plan(user('hi'), assistant(' hello\n'), user('how are you?')), {
        callerId: 'key_1',
      });
      expect(second.session).toEqual({ id: 'session-1', continues: true, version: 1 });
      await second.commit(assistant('fine'));
      const third = await a.begin(
        plan(user('hi'), assistant('hello'), user('how are you?'), assistant('fine'), user('good')),
        { callerId: 'key_1' },
      );
      // The turn B committed moved the session on: a process A kept from turn 1 (version 1) is stale.
      expect(third.session).toEqual({ id: 'session-1', continues: true, version: 2 });
      // Another caller with the same words never reaches that session.
      const other = await b.begin(plan(user('hi'), assistant('hello'), user('how are you?')), {
        callerId: 'key_2',
      });
      expect(other.session.continues).toBe(false);
    });

    it('remembers the pooled account of the last turn, whichever gateway continues the conversation', async () => {
      const { a, b } = await gateways();
      const first = await a.begin(plan(user('hi')), { callerId: 'key_1' });
      await first.commit(assistant('hello'), 'team-a');
      const second = await b.begin(plan(user('hi'), assistant('hello'), user('more')), { callerId: 'key_1' });
      expect(second.session).toEqual({
        id: first.session.id,
        continues: true,
        account: 'team-a',
        version: 1,
      });
      // The turn moved to another account: the next one stays there.
      await second.commit(assistant('more'), 'team-b');
      const third = await a.begin(
        plan(user('hi'), assistant('hello'), user('more'), assistant('more'), user('again')),
        { callerId: 'key_1' },
      );
      expect(third.session.account).toBe('team-b');
      await third.commit(assistant('again'));
      const fourth = await b.begin(
        plan(
          user('hi'),
          assistant('hello'),
          user('more'),
          assistant('more'),
          user('again'),
          assistant('again'),
          user('x'),
        ),
        { callerId: 'key_1' },
      );
      // A turn without a pooled account (no ACCOUNTS_FILE) leaves none.
      expect(fourth.session).toEqual({ id: first.session.id, continues: true, version: 3 });
    });

    it('gives a busy session to one gateway only; the other starts a fresh one', async () => {
      const { a, b } = await gateways();
      await (await a.begin(plan(user('hi')))).commit(assistant('hello'));
      const next = plan(user('hi'), assistant('hello'), user('again'));
      const [one, two] = await Promise.all([a.begin(next), b.begin(next)]);
      expect([one?.session.continues, two?.session.continues].sort()).toEqual([false, true]);
    });

    it('drops an abandoned session with its transcript; a cancelled one stays as it was', async () => {
      const { a, b, store, evicted } = await gateways();
      await (await a.begin(plan(user('hi')))).commit(assistant('hello'));
      await store.transcripts.append({ projectKey: 'p', sessionId: 'session-1' }, [
        { type: 'user', uuid: 'x' },
      ]);
      const next = plan(user('hi'), assistant('hello'), user('again'));
      const cancelled = await b.begin(next);
      expect(cancelled.session).toEqual({ id: 'session-1', continues: true, version: 1 });
      await cancelled.cancel();
      // A run that never started leaves the version as it was: a process kept at 1 still holds it all.
      const failed = await a.begin(next);
      expect(failed.session).toEqual({ id: 'session-1', continues: true, version: 1 });
      await failed.abandon();
      expect(evicted.map((s) => s.id)).toEqual(['session-1']);
      expect(await store.transcripts.load({ projectKey: 'p', sessionId: 'session-1' })).toBeNull();
      expect((await b.begin(next)).session.continues).toBe(false);
    });

    it('keeps one session per named conversation and evicts duplicates of the same history', async () => {
      const { a, b, evicted } = await gateways();
      const origin = { callerId: 'k', conversationId: 'conv-1' };
      await (await a.begin(plan(user('hi')), origin)).commit(assistant('hello'));
      // The client edits the history: a new session for the same conversation replaces the old one.
      await (await b.begin(plan(user('hi'), assistant('HELLO'), user('x')), origin)).commit(assistant('y'));
      expect(evicted.map((s) => s.id)).toEqual(['session-1']);
      expect(await a.size()).toBe(1);
    });

    it('ends the idle sessions of a named conversation at once, with their transcripts', async () => {
      const { a, b, store, evicted } = await gateways();
      const origin = { callerId: 'k', conversationId: 'native-1' };
      const inProject = { ...origin, cwd: '/projects/app' };
      await (await a.begin(plan(user('hi')), origin)).commit(assistant('hello'));
      const projectPlan: RunPlan = {
        ...plan(user('hi')),
        agent: { cwd: '/projects/app', tools: [], permissionMode: 'default', maxTurns: 1 },
      };
      await (await b.begin(projectPlan, origin)).commit(assistant('hello'));
      const other = await a.begin(plan(user('hi')), { callerId: 'k', conversationId: 'native-2' });
      await other.commit(assistant('hello'));
      await store.transcripts.append({ projectKey: 'p', sessionId: 'session-1' }, [
        { type: 'user', uuid: 'x' },
      ]);
      expect((await b.endConversation(origin)).map((s) => s.id)).toEqual(['session-1']);
      expect(await store.transcripts.load({ projectKey: 'p', sessionId: 'session-1' })).toBeNull();
      // What its last Claude Code still writes while it exits does not outlive the session.
      await store.transcripts.append({ projectKey: 'p', sessionId: 'session-1' }, [{ type: 'last-prompt' }]);
      expect(await store.transcripts.load({ projectKey: 'p', sessionId: 'session-1' })).toBeNull();
      // The same conversation in an agent cwd is another session, ended by naming that cwd.
      expect((await a.endConversation(inProject)).map((s) => s.id)).toEqual(['session-2']);
      expect(evicted.map((s) => s.id)).toEqual(['session-1', 'session-2']);
      expect(await a.size()).toBe(1);
      // A session a run holds is left to settle.
      const running = await a.begin(plan(user('hi'), assistant('hello'), user('more')), {
        callerId: 'k',
        conversationId: 'native-2',
      });
      expect(running.session).toEqual({ id: 'session-3', continues: true, version: 1 });
      expect(await b.endConversation({ callerId: 'k', conversationId: 'native-2' })).toEqual([]);
    });

    it('counts committed turns in the head: each commit bumps it once, whichever gateway ran the turn', async () => {
      const { a, b } = await gateways();
      const talk = [user('one')];
      for (const [index, gateway] of [a, b, b, a].entries()) {
        const claim = await gateway.begin(plan(...talk), { callerId: 'k' });
        expect(claim.session.version).toBe(index);
        const reply = assistant(`reply ${index}`);
        await claim.commit(reply);
        // A commit that comes twice (a retried settle) counts once.
        await claim.commit(reply);
        talk.push(reply, user(`turn ${index + 2}`));
      }
      const last = await a.begin(plan(...talk), { callerId: 'k' });
      expect(last.session).toEqual({ id: 'session-1', continues: true, version: 4 });
    });

    it('foresees the session this gateway left at the version of the process it keeps, and lets the claim decide', async () => {
      const kept: Array<{ sessionId: string; version: number }> = [];
      const { a, b } = await gateways({ keptProcesses: () => kept });
      const origin = { callerId: 'k' };
      const first = await a.begin(plan(user('hi')), origin);
      await first.commit(assistant('hello'));
      const second = plan(user('hi'), assistant('hello'), user('again'));

      // No process kept: nothing to foresee, the claim alone says where the conversation is.
      const unkept = a.beginAhead(second, origin);
      expect(unkept.foreseen).toBeUndefined();
      await (await unkept.claim).cancel();

      // This gateway left it at version 1 and keeps that process: the claim gives exactly that.
      kept.push({ sessionId: first.session.id, version: 1 });
      const ahead = a.beginAhead(second, origin);
      expect(ahead.foreseen).toEqual({ id: first.session.id, continues: true, version: 1 });
      const claimed = await ahead.claim;
      expect(claimed.session).toEqual(ahead.foreseen);
      await claimed.cancel();

      // The other gateway answered that turn meanwhile (the client asks A again, the same turn):
      // A still foresees its own session, and the claim gives another one.
      await (await b.begin(second, origin)).commit(assistant('hello again'));
      const retried = a.beginAhead(second, origin);
      expect(retried.foreseen).toEqual({ id: first.session.id, continues: true, version: 1 });
      expect((await retried.claim).session).not.toEqual(retried.foreseen);

      // Another gateway's head is nothing this gateway can foresee.
      const third = plan(user('hi'), assistant('hello'), user('again'), assistant('hello again'), user('x'));
      const elsewhere = a.beginAhead(third, origin);
      expect(elsewhere.foreseen).toBeUndefined();
      expect((await elsewhere.claim).session).toMatchObject({ id: first.session.id, version: 2 });
    });

    it.skipIf(engine.name !== 'postgres')(
      'reads no transcript in a claim of a session this gateway keeps a process of at that version',
      async () => {
        const kept: Array<{ sessionId: string; version: number }> = [];
        const { a, store, storeB } = await gateways({ keptProcesses: () => kept });
        const earlier = [user('before'), assistant('earlier')];
        const first = await a.begin(plan(...earlier, user('hi')), { callerId: 'k' });
        // A new session with a history had nothing stored when it was claimed: its first resume (of
        // the rebuilt history, which its gateway mirrors itself) is told so without asking the
        // database, then asks it.
        const key = { projectKey: 'any', sessionId: first.session.id };
        const main = [{ type: 'user', uuid: 'u1' }];
        await store.transcripts.append(key, main);
        expect(await store.transcripts.load(key)).toBeNull();
        expect(await store.transcripts.load(key)).toEqual(main);
        await first.commit(assistant('hello'));
        const next = (more: string) =>
          a.begin(plan(...earlier, user('hi'), assistant('hello'), user(more)), { callerId: 'k' });

        // Kept here at version 1: the claim of version 1 leaves the transcript to the process.
        kept.push({ sessionId: first.session.id, version: 1 });
        const hot = await next('again');
        expect(hot.session.version).toBe(1);
        await storeB.transcripts.delete?.(key);
        expect(await store.transcripts.load(key)).toBeNull();
        await hot.cancel();

        // Kept at another version (the session moved on elsewhere): the claim reads it as before.
        await store.transcripts.append(key, main);
        kept.splice(0, 1, { sessionId: first.session.id, version: 7 });
        const cold = await next('again');
        await storeB.transcripts.delete?.(key);
        expect(await store.transcripts.load(key)).toEqual(main);
        await cold.cancel();
      },
    );

    // Only PostgreSQL has gateways that end a session while another appends to it at the same time.
    if (engine.name === 'postgres')
      it('keeps nothing a last Claude Code appends while another gateway is ending its session', async () => {
        const { a, store, location } = await gateways();
        await (await a.begin(plan(user('hi')), { callerId: 'k', conversationId: 'native-1' })).commit(
          assistant('hello'),
        );
        const key = { projectKey: 'p', sessionId: 'session-1' };
        if (location.engine !== 'postgres') throw new Error('a PostgreSQL case');
        const ending = new pg.Client({ connectionString: location.url });
        await ending.connect();
        try {
          // The other gateway's ending, caught between its statements: the index row is deleted,
          // not yet committed, when the append comes...
          await ending.query('BEGIN');
          await ending.query(`DELETE FROM conversations WHERE id = 'session-1'`);
          const appended = store.transcripts.append(key, [{ type: 'last-prompt' }]);
          // ...which waits for that row instead of writing past the ending.
          const waiting = async () => {
            const { rows } = await ending.query<{ n: string }>(
              `SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`,
            );
            return Number(rows[0]?.n) > 0;
          };
          for (let tries = 0; tries < 200 && !(await waiting()); tries++) {
            await new Promise((resolve) => setTimeout(resolve, 10));
          }
          expect(await waiting()).toBe(true);
          await ending.query(`DELETE FROM transcript_entries WHERE session_id = 'session-1'`);
          await ending.query('COMMIT');
          await appended;
          expect(await store.transcripts.load(key)).toBeNull();
        } finally {
          await ending.end();
        }
      });

    it('sweeps idle sessions after the TTL, the oldest over the cap, and claims whose gateway died', async () => {
      const { a, b, evicted, advance } = await gateways({ maxCount: 2, claimTtlMs: 120_000 });
      await (await a.begin(plan(user('one')))).commit(assistant('1'));
      advance(1_000);
      await (await b.begin(plan(user('two')))).commit(assistant('2'));
      advance(1_000);
      await (await a.begin(plan(user('three')))).commit(assistant('3'));
      const crashed = await b.begin(plan(user('four')));
      expect(crashed.session.id).toBe('session-4');
      expect((await a.sweep()).map((s) => s.id)).toEqual(['session-1', 'session-2']);
      advance(60_000);
      expect((await b.sweep()).map((s) => s.id)).toEqual(['session-3']);
      advance(60_001);
      // session-4's claim lapsed: its gateway never finished the run.
      expect((await a.sweep()).map((s) => s.id)).toEqual(['session-4']);
      expect(await a.size()).toBe(0);
      expect(evicted).toHaveLength(4);
    });
  });
}
