import { describe, expect, it } from 'vitest';
import type { ClaudeTurn, RunPlan } from '../../contract/run-plan.js';
import { createSessionStore, type SessionStoreOptions } from './session-store.js';

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

function setup(overrides: Partial<SessionStoreOptions> = {}) {
  let clock = 1_000;
  let ids = 0;
  const removed: string[] = [];
  const evicted: string[] = [];
  const store = createSessionStore({
    ttlMs: 60_000,
    maxCount: 10,
    defaultCwd: '/workspace',
    removeSession: async ({ id }) => {
      removed.push(id);
    },
    onEvict: (id) => evicted.push(id),
    now: () => clock,
    newId: () => `session-${++ids}`,
    ...overrides,
  });
  return { store, removed, evicted, advance: (ms: number) => (clock += ms) };
}

describe('createSessionStore', () => {
  it('continues a conversation whose history is exactly what the last run left', () => {
    const { store } = setup();
    const first = store.begin(plan(user('hi')));
    expect(first.session).toEqual({ id: 'session-1', continues: false });
    first.commit(assistant('hello'));

    const second = store.begin(plan(user('hi'), assistant('  hello\n'), user('how are you?')));
    expect(second.session).toEqual({ id: 'session-1', continues: true });
    second.commit(assistant('fine'));

    const third = store.begin(
      plan(user('hi'), assistant('hello'), user('how are you?'), assistant('fine'), user('good')),
    );
    expect(third.session).toEqual({ id: 'session-1', continues: true });
  });

  it('remembers the pooled account its last turn ran under, for the next turn only', () => {
    const { store } = setup();
    store.begin(plan(user('hi'))).commit(assistant('hello'), 'team-a');
    const second = store.begin(plan(user('hi'), assistant('hello'), user('more')));
    expect(second.session).toEqual({ id: 'session-1', continues: true, account: 'team-a' });
    second.commit(assistant('more'), 'team-b');
    const third = store.begin(
      plan(user('hi'), assistant('hello'), user('more'), assistant('more'), user('x')),
    );
    expect(third.session.account).toBe('team-b');
    // A new conversation has no account yet: its strategy picks one.
    expect(store.begin(plan(user('other'))).session).toEqual({ id: 'session-2', continues: false });
  });

  it('starts a new session for an edited history, and the old head no longer matches after a continue', () => {
    const { store } = setup();
    store.begin(plan(user('hi'))).commit(assistant('hello'));
    expect(store.begin(plan(user('hi'), assistant('HELLO'), user('x'))).session.continues).toBe(false);
    expect(store.begin(plan(user('HI'), assistant('hello'), user('x'))).session.continues).toBe(false);

    const continued = store.begin(plan(user('hi'), assistant('hello'), user('one')));
    expect(continued.session.continues).toBe(true);
    continued.commit(assistant('1'));
    // Regenerating from the older point would resume a session that already moved on: rebuild.
    expect(store.begin(plan(user('hi'), assistant('hello'), user('two'))).session.continues).toBe(false);
  });

  it('matches tool calls whatever the key order of their arguments', () => {
    const { store } = setup();
    const call: ClaudeTurn = {
      role: 'assistant',
      content: [
        { type: 'tool_use', id: 'call_1', name: 'mcp__client__f', input: { a: 1, b: [2, { c: 3, d: 4 }] } },
      ],
    };
    const sameCall: ClaudeTurn = {
      role: 'assistant',
      content: [
        { type: 'tool_use', id: 'call_1', name: 'mcp__client__f', input: { b: [2, { d: 4, c: 3 }], a: 1 } },
      ],
    };
    store.begin(plan(user('go'))).commit(call);
    expect(store.begin(plan(user('go'), sameCall, user('next'))).session.continues).toBe(true);
  });

  it('never shares a session across callers, end users, conversation ids or working directories', () => {
    const { store } = setup();
    store.begin(plan(user('hi')), { callerId: 'key-a' }).commit(assistant('hello'));
    const next = plan(user('hi'), assistant('hello'), user('again'));
    expect(store.begin(next, { callerId: 'key-b' }).session.continues).toBe(false);
    expect(store.begin(next).session.continues).toBe(false);
    expect(store.begin(next, { callerId: 'key-a', endUser: 'u1' }).session.continues).toBe(false);
    expect(store.begin(next, { callerId: 'key-a', conversationId: 'c1' }).session.continues).toBe(false);
    const agentPlan = {
      ...next,
      agent: { cwd: '/elsewhere', tools: [], permissionMode: 'default' as const, maxTurns: 1 },
    };
    expect(store.begin(agentPlan, { callerId: 'key-a' }).session.continues).toBe(false);
    expect(store.begin(next, { callerId: 'key-a' }).session.continues).toBe(true);
  });

  it('gives a second request for a busy conversation its own session', () => {
    const { store } = setup();
    store.begin(plan(user('hi'))).commit(assistant('hello'));
    const next = plan(user('hi'), assistant('hello'), user('again'));
    const first = store.begin(next);
    const second = store.begin(next);
    expect(first.session.continues).toBe(true);
    expect(second.session).toEqual({ id: 'session-2', continues: false });
    first.commit(assistant('a'));
    second.commit(assistant('b'));
    const afterA = plan(user('hi'), assistant('hello'), user('again'), assistant('a'), user('?'));
    const afterB = plan(user('hi'), assistant('hello'), user('again'), assistant('b'), user('?'));
    expect(store.begin(afterA).session).toEqual({ id: 'session-1', continues: true });
    expect(store.begin(afterB).session).toEqual({ id: 'session-2', continues: true });
  });

  it('drops a session whose run failed after it started, and keeps one whose run never started', () => {
    const { store, removed, evicted } = setup();
    store.begin(plan(user('hi'))).commit(assistant('hello'));
    const next = plan(user('hi'), assistant('hello'), user('again'));

    store.begin(next).cancel();
    expect(removed).toEqual([]);
    const failing = store.begin(next);
    expect(failing.session.continues).toBe(true);
    failing.abandon();
    failing.commit(assistant('too late'));
    expect(removed).toEqual(['session-1']);
    expect(evicted).toEqual(['session-1']);
    expect(store.begin(next).session.continues).toBe(false);
  });

  it('forgets a new session whose run never started', () => {
    const { store, removed } = setup();
    store.begin(plan(user('hi'))).cancel();
    expect(removed).toEqual(['session-1']);
    expect(store.size).toBe(0);
  });

  it('evicts idle sessions after the TTL, but never one in use', () => {
    const { store, removed, advance } = setup({ ttlMs: 1_000 });
    store.begin(plan(user('a'))).commit(assistant('A'));
    const busy = store.begin(plan(user('b')));
    advance(1_500);
    store.begin(plan(user('c'))).cancel();
    expect(removed).toEqual(['session-1', 'session-3']);
    busy.commit(assistant('B'));
    expect(store.begin(plan(user('b'), assistant('B'), user('more'))).session).toEqual({
      id: 'session-2',
      continues: true,
    });
  });

  it('keeps at most maxCount sessions, evicting the least recently used', () => {
    const { store, removed } = setup({ maxCount: 2 });
    store.begin(plan(user('a'))).commit(assistant('A'));
    store.begin(plan(user('b'))).commit(assistant('B'));
    store.begin(plan(user('a'), assistant('A'), user('a2'))).commit(assistant('A2'));
    store.begin(plan(user('c'))).commit(assistant('C'));
    expect(removed).toEqual(['session-2']);
    expect(store.size).toBe(2);
  });

  it('keeps one session per explicit conversation id: a rebuilt history replaces the old one', () => {
    const { store, removed } = setup();
    const origin = { callerId: 'k', conversationId: 'chat-1' };
    store.begin(plan(user('hi')), origin).commit(assistant('hello'));
    const rebuilt = store.begin(plan(user('edited'), assistant('hello'), user('again')), origin);
    expect(rebuilt.session.continues).toBe(false);
    rebuilt.commit(assistant('ok'));
    expect(removed).toEqual(['session-1']);
    // Plain fingerprint matching keeps both branches of a conversation without an id.
    store.begin(plan(user('x'))).commit(assistant('y'));
    store.begin(plan(user('x2'), assistant('y'), user('z'))).commit(assistant('w'));
    expect(removed).toEqual(['session-1']);
  });

  it('deletes every session on close', async () => {
    const { store, removed } = setup();
    store.begin(plan(user('a'))).commit(assistant('A'));
    store.begin(plan(user('b')));
    await store.close();
    expect(removed.sort()).toEqual(['session-1', 'session-2']);
    expect(store.size).toBe(0);
  });
  it('ends one explicit conversation of one caller (a deleted native session), leaving others alone', async () => {
    const { store, removed } = setup();
    store.begin(plan(user('a')), { callerId: 'k1', conversationId: 'c1' }).commit(assistant('A'));
    store.begin(plan(user('b')), { callerId: 'k1', conversationId: 'c2' }).commit(assistant('B'));
    store.begin(plan(user('c')), { callerId: 'k2', conversationId: 'c1' }).commit(assistant('C'));
    await store.endConversation({ callerId: 'k1', conversationId: 'c1' });
    expect(removed).toEqual(['session-1']);
    expect(store.size).toBe(2);
    // It is gone: the same history under that conversation is rebuilt in a new session.
    const again = store.begin(plan(user('a'), assistant('A'), user('more')), {
      callerId: 'k1',
      conversationId: 'c1',
    });
    expect(again.session).toEqual({ id: 'session-4', continues: false });
  });
});
