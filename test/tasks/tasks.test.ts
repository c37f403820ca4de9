/**
 * Agentic tasks (/api/v1/tasks) against the real CLI and the mock Messages API: a task's tool
 * calls, the key's profile, cwd confinement, streaming, background poll / events / cancel, and a
 * gateway restart under a running task.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BUILT_IN_PROFILES, policyFromProfile } from '../../src/core/admission/profiles.js';
import { json, requestAt, toolNames, toolResults } from '../fidelity/client.js';
import { eventually, type Harness, startHarness } from '../helpers/gateway-harness.js';
import { readSse } from '../helpers/sse-events.js';
import { text, toolUse } from '../mock-anthropic/server.js';

const SECRET = 'the launch code is 1234';
let scratch: string;
let project: string;
let storePath: string;
let h: Harness;
let ownerKey: string;
let freeKey: string;

function config() {
  return {
    AGENT_MODE: 'true',
    AGENT_ALLOWED_ROOTS: path.join(scratch, 'allowed'),
    AGENT_ALLOWED_TOOLS: 'Read,Grep,Glob,Bash',
    AGENT_MAX_TURNS: '5',
    STORE_PATH: storePath,
    KILL_GRACE_MS: '500',
  };
}

beforeAll(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'tasks-'));
  project = path.join(scratch, 'allowed', 'project');
  storePath = path.join(scratch, 'gateway.db');
  await mkdir(project, { recursive: true });
  await mkdir(path.join(scratch, 'outside'));
  await writeFile(path.join(project, 'notes.txt'), `${SECRET}\n`);
  h = await startHarness({ config: config() });
  ownerKey = (await h.gateway.store.keys.create({ name: 'owner', policy: { agentTools: ['*'] } })).key;
  freeKey = (
    await h.gateway.store.keys.create({
      name: 'free',
      policy: policyFromProfile('free', BUILT_IN_PROFILES.free!, {}),
    })
  ).key;
});
afterAll(async () => {
  await h?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});
beforeEach(() => h.mock.reset());

function call(
  method: string,
  url: string,
  body?: unknown,
  key = ownerKey,
  headers: Record<string, string> = {},
) {
  return fetch(`${h.origin}${url}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
}

const readNotes = () => toolUse('Read', { file_path: path.join(project, 'notes.txt') });

describe('POST /api/v1/tasks', () => {
  it('runs a task that reads a file in its cwd and lists the tool calls', async () => {
    h.mock.enqueue(readNotes(), text('The launch code is 1234.'));
    const response = await call('POST', '/api/v1/tasks', {
      prompt: 'What is in notes.txt?',
      cwd: project,
      tools: ['Read'],
    });
    expect(response.status).toBe(200);
    const task = await json(response);
    expect(task).toMatchObject({ status: 'completed', summary: 'The launch code is 1234.' });
    expect(task.taskId).toMatch(/^task_/);
    expect(task.toolCalls).toHaveLength(1);
    expect(task.toolCalls[0]).toMatchObject({
      tool: 'Read',
      input: { file_path: path.join(project, 'notes.txt') },
      isError: false,
    });
    expect(task.toolCalls[0].output).toContain(SECRET);
    expect(task.turns).toBeGreaterThanOrEqual(2);
    expect(task.usage.outputTokens).toBeGreaterThan(0);
    // What Claude Code sent: only the allowed tool, and the file's content as its result.
    expect(toolNames(requestAt(h.mock.requests, 0))).toContain('Read');
    expect(toolNames(requestAt(h.mock.requests, 0))).not.toContain('Bash');
    expect(JSON.stringify(toolResults(requestAt(h.mock.requests, 1))[0]?.content)).toContain(SECRET);
    // The finished task can be read back.
    const stored = await json(await call('GET', `/api/v1/tasks/${task.taskId}`));
    expect(stored).toMatchObject({ taskId: task.taskId, status: 'completed', summary: task.summary });
  });

  it('streams tool_use, tool_result, text_delta and complete', async () => {
    h.mock.enqueue(readNotes(), text('Done reading.'));
    const response = await call('POST', '/api/v1/tasks', {
      prompt: 'Read notes.txt',
      cwd: project,
      tools: ['Read'],
      stream: true,
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const frames = (await readSse(response)).events;
    const names = frames.map((frame) => frame.event);
    expect(names[0]).toBe('tool_use');
    expect(names).toContain('tool_result');
    expect(names).toContain('text_delta');
    expect(names.at(-1)).toBe('complete');
    expect(frames.at(-1)?.data).toMatchObject({ status: 'completed', summary: 'Done reading.' });
    expect(frames.find((frame) => frame.event === 'tool_result')?.data.output).toContain(SECRET);
  });

  it('refuses a cwd outside the allowed roots in the native error shape; nothing reaches the model', async () => {
    const response = await call('POST', '/api/v1/tasks', {
      prompt: 'hi',
      cwd: path.join(scratch, 'outside'),
    });
    expect(response.status).toBe(400);
    const body = await json(response);
    expect(body.error).toMatchObject({ code: 'agent_cwd_not_allowed', details: { param: 'cwd' } });
    expect(body.error.message).not.toContain('claude_code');
    expect(body.requestId).toBe(response.headers.get('x-request-id'));
    expect(typeof body.timestamp).toBe('string');
    expect(h.mock.requests).toHaveLength(0);
  });

  it("refuses a tool the key's profile does not allow, and gives a free key only read-only tools", async () => {
    const refused = await call(
      'POST',
      '/api/v1/tasks',
      { prompt: 'run ls', cwd: project, tools: ['Bash'] },
      freeKey,
    );
    expect(refused.status).toBe(403);
    expect((await json(refused)).error).toMatchObject({
      code: 'tool_not_allowed',
      details: { param: 'tools' },
    });
    expect(h.mock.requests).toHaveLength(0);

    h.mock.enqueue(text('ok'));
    const allowed = await call('POST', '/api/v1/tasks', { prompt: 'hello', cwd: project }, freeKey);
    expect(allowed.status).toBe(200);
    const tools = toolNames(requestAt(h.mock.requests, 0));
    expect(tools).toEqual(expect.arrayContaining(['Read', 'Grep', 'Glob']));
    expect(tools).not.toContain('Bash');
  });

  it('refuses a timeout longer than the profile allows', async () => {
    const response = await call(
      'POST',
      '/api/v1/tasks',
      { prompt: 'hi', cwd: project, timeout: 600 },
      freeKey,
    );
    expect(response.status).toBe(400);
    expect((await json(response)).error).toMatchObject({
      code: 'timeout_too_long',
      details: { param: 'timeout' },
    });
  });
});

describe('background tasks', () => {
  it('answers 202 at once, then can be polled, listed and its events replayed and resumed', async () => {
    h.mock.enqueue(readNotes(), text('Background answer.'));
    const started = await call('POST', '/api/v1/tasks', {
      prompt: 'Read notes.txt',
      cwd: project,
      tools: ['Read'],
      background: true,
    });
    expect(started.status).toBe(202);
    const { taskId, status } = await json(started);
    expect(status).toBe('running');

    const { events } = await readSse(await call('GET', `/api/v1/tasks/${taskId}/events`));
    expect(events.at(-1)?.event).toBe('complete');
    expect(events.map((frame) => frame.id)).toEqual(events.map((_, index) => String(index + 1)));

    const polled = await json(await call('GET', `/api/v1/tasks/${taskId}`));
    expect(polled).toMatchObject({ status: 'completed', summary: 'Background answer.' });
    expect(polled.toolCalls[0].tool).toBe('Read');

    const { events: resumed } = await readSse(
      await call('GET', `/api/v1/tasks/${taskId}/events`, undefined, ownerKey, { 'last-event-id': '2' }),
    );
    expect(resumed.map((frame) => frame.id)).toEqual(events.slice(2).map((frame) => frame.id));

    const list = await json(await call('GET', '/api/v1/tasks'));
    expect(list.data.map((task: { taskId: string }) => task.taskId)).toContain(taskId);
    // Another key neither lists nor reads it.
    const other = await json(await call('GET', '/api/v1/tasks', undefined, freeKey));
    expect(other.data.map((task: { taskId: string }) => task.taskId)).not.toContain(taskId);
    expect((await call('GET', `/api/v1/tasks/${taskId}`, undefined, freeKey)).status).toBe(404);
  });

  it('cancels a running task: its Claude Code process is gone and the task reads cancelled', async () => {
    h.mock.setHandler(() => ({ kind: 'hang' }));
    const started = await call('POST', '/api/v1/tasks', {
      prompt: 'wait',
      cwd: project,
      tools: ['Read'],
      background: true,
    });
    const { taskId } = await json(started);
    await h.mock.waitForRequests(1, 30_000);
    expect(h.gateway.processes.liveCount).toBe(1);
    const cancelled = await call('DELETE', `/api/v1/tasks/${taskId}`);
    expect(cancelled.status).toBe(200);
    expect(await json(cancelled)).toMatchObject({ status: 'cancelled', error: { code: 'task_cancelled' } });
    expect(await eventually(() => h.gateway.processes.liveCount === 0, 2_000)).toBe(true);
  });
});

describe('a gateway restart', () => {
  it('marks a task that was running as failed with a reason; the new gateway reads it', async () => {
    const first = await startHarness({ config: config() });
    let taskId: string;
    try {
      first.mock.setHandler(() => ({ kind: 'hang' }));
      const started = await fetch(`${first.origin}/api/v1/tasks`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ownerKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'wait', cwd: project, background: true }),
      });
      taskId = (await json(started)).taskId;
      await first.mock.waitForRequests(1, 30_000);
    } finally {
      await first.close();
    }
    const task = await json(await call('GET', `/api/v1/tasks/${taskId}`));
    expect(task).toMatchObject({ status: 'failed', error: { code: 'gateway_stopped' } });
  });
});
