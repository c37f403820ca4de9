import { mkdtemp, realpath, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../contract/key-policy.js';
import type { RunEvent } from '../../contract/run-events.js';
import { ZERO_USAGE } from '../../contract/run-events.js';
import { createModelCatalog } from '../../core/model-catalog.js';
import { fakeRunService, playing } from '../../core/test-support.js';
import { connectStore } from '../../store/engine.js';
import { createTaskStore } from '../../store/kysely-task-store.js';
import { migrateToLatest } from '../../store/migrations.js';
import { createTaskService } from './task-service.js';

let root: string;
beforeAll(async () => {
  root = await realpath(await mkdtemp(path.join(tmpdir(), 'task-service-')));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

const key = (id: string, policy: Principal['policy']): Principal => ({
  id,
  name: id,
  admin: false,
  source: 'store',
  policy,
});

const answer: RunEvent[] = [
  { type: 'text_delta', text: 'Done.' },
  { type: 'finish', reason: 'end_turn', usage: { ...ZERO_USAGE, outputTokens: 2 } },
];

/** The task service over the real store (in-memory SQLite) and a scripted run service. */
async function setup(...runs: RunEvent[][]) {
  const { db, engine } = connectStore({ engine: 'sqlite', file: ':memory:' });
  await migrateToLatest(db, engine);
  const store = createTaskStore(db);
  const run = fakeRunService(playing(...runs));
  const tasks = createTaskService({
    runs: run.service,
    store,
    planContext: {
      models: createModelCatalog(['sonnet']),
      defaultModel: 'sonnet',
      agentPolicy: {
        roots: [root],
        tools: ['Read', 'Bash'],
        maxTurns: 5,
        defaultPermissionMode: 'default',
        allowBypassPermissions: false,
      },
      requestTimeoutMs: 60_000,
    },
    profiles: {},
  });
  return { tasks, store, run };
}

describe('the task service', () => {
  it('admits, records and runs a task, logging its progress and its result', async () => {
    const { tasks, run } = await setup(answer);
    const owner = key('k1', { agentTools: ['*'], rpm: 10 });
    const started = await tasks.start({
      request: { prompt: 'Go.', cwd: root, skills: [] },
      principal: owner,
      requestId: 'r1',
    });
    expect(started.requestsPerMinute).toMatchObject({ limit: 10, remaining: 9 });
    expect(await started.done).toMatchObject({ status: 'completed', summary: 'Done.' });
    expect(run.requests[0]).toMatchObject({
      surface: 'tasks',
      origin: { callerId: 'k1' },
      timeoutMs: 60_000,
    });
    const stored = await tasks.get(owner, started.taskId);
    expect(stored).toMatchObject({ status: 'completed', request: { prompt: 'Go.', cwd: root, skills: [] } });
    const events = [];
    for await (const event of tasks.events(started.taskId, 0)) events.push(event.event);
    expect(events).toEqual(['text_delta', 'complete']);
    // Someone else's task is as unknown as one that never was.
    await expect(tasks.get(key('k2', {}), started.taskId)).rejects.toMatchObject({
      status: 404,
      code: 'task_not_found',
    });
  });

  it('leaves nothing behind when key policy refuses the task, in its own terms', async () => {
    const { tasks, store, run } = await setup(answer);
    const reader = key('k1', { agentTools: ['Read'] });
    await expect(
      tasks.start({
        request: { prompt: 'Go.', cwd: root, tools: ['Bash'] },
        principal: reader,
        requestId: 'r',
      }),
    ).rejects.toMatchObject({ status: 403, code: 'tool_not_allowed', param: 'tools' });
    expect(run.requests).toHaveLength(0);
    expect(await store.list('k1', 10)).toEqual([]);
  });
});
