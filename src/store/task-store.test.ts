import { afterEach, describe, expect, it } from 'vitest';
import { openStoreDatabase, type StoreDatabase } from './database.js';
import { sqliteTaskStore } from './task-store.js';

let db: StoreDatabase | undefined;
afterEach(() => db?.close());

function store() {
  db = openStoreDatabase(':memory:');
  return sqliteTaskStore(db);
}

const task = (id: string, ownerId: string, createdAt: number) => ({
  id,
  ownerId,
  status: 'running' as const,
  request: { prompt: id },
  result: null,
  createdAt,
  updatedAt: createdAt,
});

describe('sqliteTaskStore', () => {
  it("keeps a task, its event log in order, and lists only the owner's tasks, newest first", async () => {
    const tasks = store();
    await tasks.create(task('a', 'k1', 1));
    await tasks.create(task('b', 'k1', 2));
    await tasks.create(task('c', 'k2', 3));
    await tasks.appendEvent('a', { seq: 1, event: 'text_delta', data: { text: 'hi' }, at: 5 });
    await tasks.appendEvent('a', { seq: 2, event: 'complete', data: { status: 'completed' }, at: 6 });
    expect((await tasks.list('k1', 10)).map((t) => t.id)).toEqual(['b', 'a']);
    expect((await tasks.events('a', 1)).map((e) => e.event)).toEqual(['complete']);
    expect(await tasks.get('a')).toMatchObject({ status: 'running', request: { prompt: 'a' }, result: null });
  });

  it("ends a task once: a cancel racing the run's own end keeps the first", async () => {
    const tasks = store();
    await tasks.create(task('a', 'k1', 1));
    await tasks.finish('a', 'cancelled', { why: 'cancel' }, 2);
    await tasks.finish('a', 'completed', { why: 'late' }, 3);
    expect(await tasks.get('a')).toMatchObject({
      status: 'cancelled',
      result: { why: 'cancel' },
      updatedAt: 2,
    });
  });

  it('marks every running task failed when a gateway stopped under it', async () => {
    const tasks = store();
    await tasks.create(task('a', 'k1', 1));
    await tasks.create(task('b', 'k1', 2));
    await tasks.finish('b', 'completed', {}, 3);
    expect(await tasks.failRunning({ error: { code: 'gateway_stopped' } }, 4)).toBe(1);
    expect(await tasks.get('a')).toMatchObject({
      status: 'failed',
      result: { error: { code: 'gateway_stopped' } },
    });
    expect((await tasks.get('b'))?.status).toBe('completed');
  });
});
