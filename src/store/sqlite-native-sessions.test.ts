import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ZERO_USAGE } from '../core/run-events.js';
import { openStoreDatabase } from './database.js';
import type { NativeSessionRecord } from './native-sessions.js';
import { sqliteNativeSessions } from './sqlite-native-sessions.js';

const session = (id: string, ownerId: string, at: number): NativeSessionRecord => ({
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

const usage = { ...ZERO_USAGE, inputTokens: 5, outputTokens: 2 };

let dir: string | undefined;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('native sessions in SQLite', () => {
  it('keeps sessions, their turns, usage and cost across a reopen of the file', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'native-sessions-'));
    const file = path.join(dir, 'gateway.db');
    const db = openStoreDatabase(file);
    const store = sqliteNativeSessions(db);
    await store.create({
      ...session('a', 'key-1', 100),
      systemPrompt: 'Be brief.',
      agent: { cwd: '/w', tools: ['Read'], permissionMode: 'default', maxTurns: 3 },
    });
    for (const n of [1, 2]) {
      await store.recordTurn('a', {
        user: { role: 'user', content: `q${n}`, at: 100 + n },
        assistant: { role: 'assistant', content: `a${n}`, at: 110 + n },
        usage,
        costUsd: 0.5,
        expiresAt: 5000 + n,
      });
    }
    db.close();

    const reopened = sqliteNativeSessions(openStoreDatabase(file));
    expect(await reopened.get('a')).toEqual({
      ...session('a', 'key-1', 100),
      systemPrompt: 'Be brief.',
      agent: { cwd: '/w', tools: ['Read'], permissionMode: 'default', maxTurns: 3 },
      lastActivityAt: 112,
      expiresAt: 5002,
      usage: { ...usage, inputTokens: 10, outputTokens: 4 },
      costUsd: 1,
      messageCount: 4,
    });
    expect(await reopened.messages('a')).toEqual([
      { role: 'user', content: 'q1', at: 101 },
      { role: 'assistant', content: 'a1', at: 111 },
      { role: 'user', content: 'q2', at: 102 },
      { role: 'assistant', content: 'a2', at: 112 },
    ]);
  });

  it('lists and counts per owner, least recently active first, and finds expired sessions', async () => {
    const store = sqliteNativeSessions(openStoreDatabase(':memory:'));
    await store.create(session('old', 'k1', 10));
    await store.create(session('new', 'k1', 20));
    await store.create(session('other', 'k2', 5));
    await store.touch('old', 30, 1030);
    expect((await store.list('k1')).map((s) => s.id)).toEqual(['new', 'old']);
    expect((await store.list()).map((s) => s.id)).toEqual(['other', 'new', 'old']);
    expect(await store.count('k1')).toBe(2);
    expect(await store.count()).toBe(3);
    expect((await store.expired(1020)).map((s) => s.id).sort()).toEqual(['new', 'other']);
  });

  it('deletes a session with its messages', async () => {
    const db = openStoreDatabase(':memory:');
    const store = sqliteNativeSessions(db);
    await store.create(session('a', 'k', 1));
    await store.recordTurn('a', {
      user: { role: 'user', content: 'q', at: 2 },
      assistant: { role: 'assistant', content: 'a', at: 3 },
      usage,
      costUsd: 0,
      expiresAt: 10,
    });
    expect(await store.delete('a')).toBe(true);
    expect(await store.delete('a')).toBe(false);
    expect(await store.get('a')).toBeUndefined();
    expect(db.prepare('SELECT COUNT(*) AS n FROM native_session_messages').get()).toEqual({ n: 0 });
  });
});
