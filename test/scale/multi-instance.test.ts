import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import pidtree from 'pidtree';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGatewayStore } from '../../src/store/gateway-store.js';
import { conversationOf } from '../conversation/session-files.js';
import { json } from '../core/wire.js';
import { createKeyWithCli, runGatewayCli } from '../helpers/gateway-cli.js';
import { eventually } from '../helpers/gateway-harness.js';
import {
  chatOn as chat,
  expectOneAtATimeAcross,
  expectThreePerMinuteAcross,
} from '../helpers/limits-across-gateways.js';
import {
  type PostgresCluster,
  postgresTestsEnabled,
  startPostgresCluster,
} from '../helpers/postgres-cluster.js';
import { startRoundRobinBalancer } from '../helpers/round-robin-balancer.js';
import { DONE, readSse, sseEvents } from '../helpers/sse-events.js';
import { echoHandler, type MockAnthropic, startMockAnthropic, text } from '../mock-anthropic/server.js';
import { type ServerProcess, startServerProcess } from '../ops/server-process.js';
import { bearer, chatBody, postJson, readError } from '../security/http.js';

/**
 * Two real gateway processes on one PostgreSQL database (DATABASE_URL), each with its own data
 * dir, both running the real Claude Code CLI against one mock Messages API: keys, limits, usage and
 * audit behave as if they were one gateway.
 */
let cluster: PostgresCluster | undefined;
let databaseUrl = '';
let mock: MockAnthropic;
let a: ServerProcess;
let b: ServerProcess;

/** Runs the real `claude-gateway` CLI against the shared database. */
const cli = (...args: string[]) => runGatewayCli({ DATABASE_URL: databaseUrl }, ...args);
const createKey = (name: string, ...flags: string[]) =>
  createKeyWithCli({ DATABASE_URL: databaseUrl }, name, ...flags);

/** A gateway's local Claude Code transcript files of `sessionId` (under its own scratch dir). */
async function localTranscripts(instance: string, sessionId: string): Promise<string[]> {
  const projects = path.join(sharedDataDir, 'instances', instance, 'claude', 'projects');
  const files = await readdir(projects, { recursive: true }).catch(() => [] as string[]);
  return files.filter((file) => path.basename(file) === `${sessionId}.jsonl`);
}

/** Transcript entries of a Claude Code session mirrored to the shared database. */
async function mirroredEntries(sessionId: string): Promise<number> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      'SELECT count(*) AS n FROM transcript_entries WHERE session_id = $1',
      [sessionId],
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

// One DATA_DIR for both, as on a shared volume: each keeps its scratch under instances/<INSTANCE_ID>.
// (A gateway with another DATA_DIR path continues the same conversations: see gw-c below.)
let sharedDataDir = '';
const projectDir = () => path.join(sharedDataDir, 'projects');
const instanceEnv = (id: string) => ({
  DATA_DIR: sharedDataDir,
  INSTANCE_ID: id,
  // Where the gateway puts Claude Code's config by default (the harness would pick its own temp dir).
  CLAUDE_CONFIG_DIR: path.join(sharedDataDir, 'instances', id, 'claude'),
  DATABASE_URL: databaseUrl,
  WARM_SPARES: '0',
  // Tasks run in a project directory under the agent rules.
  AGENT_MODE: 'true',
  AGENT_ALLOWED_ROOTS: projectDir(),
  // Every /ready probes the store, so the outage case sees the database go without waiting out a cache.
  READY_CACHE_MS: '0',
  // The owner's key keeps both gateways closed from the start, whatever the test creates.
  GATEWAY_API_KEYS: 'sk-owner-key-keeps-the-gateway-closed',
});

describe.skipIf(!postgresTestsEnabled())('two gateways on one PostgreSQL', () => {
  beforeAll(async () => {
    cluster = await startPostgresCluster();
    databaseUrl = await cluster.createDatabase();
    mock = await startMockAnthropic();
    sharedDataDir = await mkdtemp(path.join(tmpdir(), 'cg-shared-data-'));
    await mkdir(projectDir());
    // Both start at once: the migration runs exactly once under Kysely's advisory lock.
    [a, b] = await Promise.all([
      startServerProcess(mock.url, instanceEnv('gw-a')),
      startServerProcess(mock.url, instanceEnv('gw-b')),
    ]);
  }, 120_000);

  afterAll(async () => {
    await a?.cleanup();
    await b?.cleanup();
    await mock?.close();
    await cluster?.stop();
    if (sharedDataDir) await rm(sharedDataDir, { recursive: true, force: true });
  }, 60_000);

  it('serves a key created with the CLI on both, and refuses it on both once revoked', async () => {
    // Each gateway cleaned and uses only its own scratch dir in the shared DATA_DIR.
    expect((await readdir(path.join(sharedDataDir, 'instances'))).sort()).toEqual(['gw-a', 'gw-b']);
    const { id, key } = await createKey('shared-key');
    expect((await chat(a, key, chatBody('on a'))).status).toBe(200);
    const onB = await chat(b, key, chatBody('on b'));
    expect(onB.status).toBe(200);
    expect((await json(onB)).choices[0].message.content).toBe('echo: on b');

    const revoked = await cli('keys', 'revoke', id);
    expect(revoked.code, revoked.stderr).toBe(0);
    // No auth cache: the very next request on either instance is refused.
    expect((await readError(await chat(a, key))).error.code).toBe('invalid_api_key');
    expect((await readError(await chat(b, key))).error.code).toBe('invalid_api_key');
  });

  it('continues on B a chat conversation begun on A, as the same Claude Code session', async () => {
    const { key } = await createKey('talker');
    const first = [{ role: 'user', content: 'My name is Ada.' }];
    const one = await chat(a, key, { model: 'sonnet', messages: first });
    expect(one.status).toBe(200);
    const reply = (await json(one)).choices[0].message;
    expect(reply.content).toBe('echo: My name is Ada.');
    const sessionOnA = mock.requests.at(-1)?.headers['x-claude-code-session-id'];
    expect(sessionOnA).toBeTruthy();

    const second = [...first, reply, { role: 'user', content: 'What is my name?' }];
    const two = await chat(b, key, { model: 'sonnet', messages: second });
    expect(two.status).toBe(200);
    const reply2 = (await json(two)).choices[0].message;
    expect(reply2.content).toBe('echo: What is my name?');
    const onB = mock.requests.at(-1);
    // B resumed A's session from the shared store: same session id, earlier turns as real turns.
    expect(onB?.headers['x-claude-code-session-id']).toBe(sessionOnA);
    expect(conversationOf(onB)).toEqual([
      'user: My name is Ada.',
      'assistant: echo: My name is Ada.',
      'user: What is my name?',
    ]);

    // Back on A: it must not use anything it kept from turn 1; the session holds B's turn too.
    const three = await chat(a, key, {
      model: 'sonnet',
      messages: [...second, reply2, { role: 'user', content: 'Thanks.' }],
    });
    expect(three.status).toBe(200);
    const onA = mock.requests.at(-1);
    expect(onA?.headers['x-claude-code-session-id']).toBe(sessionOnA);
    expect(conversationOf(onA)).toEqual([
      'user: My name is Ada.',
      'assistant: echo: My name is Ada.',
      'user: What is my name?',
      'assistant: echo: What is my name?',
      'user: Thanks.',
    ]);
  });

  it('continues a conversation on a gateway whose DATA_DIR path differs, as the same Claude Code session', async () => {
    // C has its own data dir (another path, as on another machine): its workspace path differs
    // from A's, and the conversation must not depend on it.
    const ownDataDir = await mkdtemp(path.join(tmpdir(), 'cg-own-data-'));
    const c = await startServerProcess(mock.url, {
      ...instanceEnv('gw-c'),
      DATA_DIR: ownDataDir,
      CLAUDE_CONFIG_DIR: path.join(ownDataDir, 'instances', 'gw-c', 'claude'),
    });
    try {
      const { key } = await createKey('elsewhere');
      const first = [{ role: 'user', content: 'My name is Grace.' }];
      const one = await chat(a, key, { model: 'sonnet', messages: first });
      expect(one.status).toBe(200);
      const reply = (await json(one)).choices[0].message;
      const sessionOnA = mock.requests.at(-1)?.headers['x-claude-code-session-id'];
      expect(sessionOnA).toBeTruthy();

      const second = [...first, reply, { role: 'user', content: 'What is my name?' }];
      const two = await chat(c, key, { model: 'sonnet', messages: second });
      expect(two.status).toBe(200);
      const onC = mock.requests.at(-1);
      expect(onC?.headers['x-claude-code-session-id']).toBe(sessionOnA);
      expect(conversationOf(onC)).toEqual([
        'user: My name is Grace.',
        'assistant: echo: My name is Grace.',
        'user: What is my name?',
      ]);

      // And back on A, C's turn is part of the session.
      const reply2 = (await json(two)).choices[0].message;
      const three = await chat(a, key, {
        model: 'sonnet',
        messages: [...second, reply2, { role: 'user', content: 'Thanks.' }],
      });
      expect(three.status).toBe(200);
      const onA = mock.requests.at(-1);
      expect(onA?.headers['x-claude-code-session-id']).toBe(sessionOnA);
      expect(conversationOf(onA)).toHaveLength(5);
    } finally {
      await c.cleanup();
      await rm(ownDataDir, { recursive: true, force: true });
    }
  });

  it('continues on B a Responses previous_response_id begun on A, as the same Claude Code session', async () => {
    const { key } = await createKey('responder');
    const respond = (server: ServerProcess, body: unknown) =>
      postJson(server.origin, '/v1/responses', body, bearer(key));
    const one = await respond(a, { model: 'sonnet', input: 'My name is Ada.' });
    expect(one.status).toBe(200);
    const first = await json(one);
    const sessionOnA = mock.requests.at(-1)?.headers['x-claude-code-session-id'];
    expect(sessionOnA).toBeTruthy();

    const two = await respond(b, {
      model: 'sonnet',
      previous_response_id: first.id,
      input: 'What is my name?',
    });
    expect(two.status).toBe(200);
    expect((await json(two)).output).toMatchObject([
      { type: 'message', content: [{ type: 'output_text', text: 'echo: What is my name?' }] },
    ]);
    const onB = mock.requests.at(-1);
    expect(onB?.headers['x-claude-code-session-id']).toBe(sessionOnA);
    expect(conversationOf(onB)).toEqual([
      'user: My name is Ada.',
      'assistant: echo: My name is Ada.',
      'user: What is my name?',
    ]);
  });

  it('continues on B a native session begun on A, as the same Claude Code session', async () => {
    const { key } = await createKey('native');
    const api = (server: ServerProcess, method: string, route: string, body?: unknown) =>
      fetch(`${server.origin}/api/v1${route}`, {
        method,
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const created = await api(a, 'POST', '/sessions', { model: 'sonnet' });
    expect(created.status).toBe(201);
    const { sessionId } = (await json(created)) as { sessionId: string };
    const one = await api(a, 'POST', `/sessions/${sessionId}/messages`, { prompt: 'My name is Ada.' });
    expect(one.status).toBe(200);
    const sessionOnA = mock.requests.at(-1)?.headers['x-claude-code-session-id'] ?? '';
    expect(sessionOnA).toBeTruthy();

    const two = await api(b, 'POST', `/sessions/${sessionId}/messages`, { prompt: 'What is my name?' });
    expect(two.status).toBe(200);
    expect(await json(two)).toMatchObject({ response: 'echo: What is my name?', sessionId });
    const onB = mock.requests.at(-1);
    expect(onB?.headers['x-claude-code-session-id']).toBe(sessionOnA);
    expect(conversationOf(onB)).toEqual([
      'user: My name is Ada.',
      'assistant: echo: My name is Ada.',
      'user: What is my name?',
    ]);
    // Both instances show the one transcript, and B deletes what A created.
    const history = await api(a, 'GET', `/sessions/${sessionId}/messages`);
    expect(((await json(history)) as { messages: unknown[] }).messages).toHaveLength(4);
    // A keeps the local transcript Claude Code wrote for turn 1 (B resumed from a copy the Agent SDK
    // materialized and removed); the database holds the mirror.
    expect(await localTranscripts('gw-a', sessionOnA)).toHaveLength(1);
    expect(await mirroredEntries(sessionOnA)).toBeGreaterThan(0);

    expect((await api(b, 'DELETE', `/sessions/${sessionId}`)).status).toBeLessThan(300);
    expect((await api(a, 'GET', `/sessions/${sessionId}`)).status).toBe(404);
    // Ended at once, not at the next sweep: the mirror with the DELETE, A's copy on B's signal.
    expect(await mirroredEntries(sessionOnA)).toBe(0);
    expect(
      await eventually(async () => (await localTranscripts('gw-a', sessionOnA)).length === 0, 10_000),
    ).toBe(true);
  });

  it('admits exactly N requests per minute for a key across both instances', async () => {
    const { key } = await createKey('rpm-3', '--rpm', '3');
    await expectThreePerMinuteAcross(a, b, key, b);
  });

  it('holds per-key concurrency across both instances', async () => {
    const { key } = await createKey('one-at-a-time', '--concurrency', '1');
    await expectOneAtATimeAcross(mock, a, b, key);
  });

  it('follows on B, live, the events of a task running on A, and resumes them with Last-Event-ID', async () => {
    const { key } = await createKey('tasker', '--agent-tools', '*');
    const api = (server: ServerProcess, method: string, route: string, body?: unknown, headers = {}) =>
      fetch(`${server.origin}/api/v1${route}`, {
        method,
        headers: { 'x-api-key': key, 'content-type': 'application/json', ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    // The model's answer is held until the test lets it go: until then the task runs on A for sure.
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    mock.setHandler(async (request) => {
      await held;
      return echoHandler(request);
    });
    try {
      const seen = mock.requests.length;
      const started = await api(a, 'POST', '/tasks', {
        prompt: 'Followed from B.',
        cwd: projectDir(),
        background: true,
      });
      expect(started.status).toBe(202);
      const { taskId } = (await json(started)) as { taskId: string };
      await mock.waitForRequests(seen + 1, 30_000);

      // B starts following while the log is still empty: whatever it delivers, it delivers live.
      const follow = await api(b, 'GET', `/tasks/${taskId}/events`);
      expect(follow.status).toBe(200);
      expect(((await json(await api(b, 'GET', `/tasks/${taskId}`))) as { status: string }).status).toBe(
        'running',
      );
      release();
      const { events } = await readSse(follow);
      expect(events.at(-1)).toMatchObject({ event: 'complete', data: { status: 'completed' } });
      expect(
        events
          .filter((e) => e.event === 'text_delta')
          .map((e) => (e.data as { text: string }).text)
          .join(''),
      ).toBe('echo: Followed from B.');

      // Resumed on B after its second event: the rest of the log, nothing twice.
      const { events: resumed } = await readSse(
        await api(b, 'GET', `/tasks/${taskId}/events`, undefined, { 'last-event-id': '2' }),
      );
      expect(resumed).toEqual(events.slice(2));
    } finally {
      release();
      mock.setHandler(echoHandler);
    }
  });

  it('cancels on B a task running on A: A ends its Claude Code run and records the cancel', async () => {
    const { key } = await createKey('canceller', '--agent-tools', '*');
    const api = (server: ServerProcess, method: string, route: string, body?: unknown) =>
      fetch(`${server.origin}/api/v1${route}`, {
        method,
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const childrenOfA = () => pidtree(a.child.pid as number).catch(() => [] as number[]);
    const before = new Set(await childrenOfA());
    const seen = mock.requests.length;
    mock.setHandler(() => ({ kind: 'hang' }));
    try {
      const started = await api(a, 'POST', '/tasks', {
        prompt: 'Never answered.',
        cwd: projectDir(),
        background: true,
      });
      expect(started.status, await started.clone().text()).toBe(202);
      const { taskId } = (await json(started)) as { taskId: string };
      await mock.waitForRequests(seen + 1, 30_000);
      // The task's Claude Code process (and whatever it started) on A.
      const taskProcesses = (await childrenOfA()).filter((pid) => !before.has(pid));
      expect(taskProcesses.length).toBeGreaterThan(0);

      const cancelled = await api(b, 'DELETE', `/tasks/${taskId}`);
      expect(cancelled.status).toBe(200);
      expect(await json(cancelled)).toMatchObject({ status: 'cancelled', error: { code: 'task_cancelled' } });
      // The closing event is A's: only the gateway running a task writes its log.
      const { events } = await readSse(await api(a, 'GET', `/tasks/${taskId}/events`));
      expect(events.at(-1)).toMatchObject({ event: 'error', data: { status: 'cancelled' } });
      // A ended the task's Claude Code process.
      expect(
        await eventually(async () => {
          const left = new Set(await childrenOfA());
          return taskProcesses.every((pid) => !left.has(pid));
        }, 10_000),
      ).toBe(true);
    } finally {
      mock.setHandler(echoHandler);
    }
  });

  it('follows, resumes and cancels on B background responses running on A', async () => {
    const { key } = await createKey('background-responses');
    const responses = (server: ServerProcess, route: string, body?: unknown) =>
      fetch(`${server.origin}/v1/responses${route}`, {
        method: body === undefined ? 'GET' : 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    mock.setHandler(async (request) => {
      await held;
      return echoHandler(request);
    });
    const childrenOfA = () => pidtree(a.child.pid as number).catch(() => [] as number[]);
    try {
      let seen = mock.requests.length;
      const started = await responses(a, '', {
        model: 'sonnet',
        input: 'Followed from B.',
        background: true,
      });
      const { id } = (await json(started)) as { id: string };
      await mock.waitForRequests(seen + 1, 30_000);
      // B follows while A holds the run: what it delivers comes live, through the shared log.
      const follow = await responses(b, `/${id}?stream=true`);
      expect(follow.status).toBe(200);
      release();
      const events = (await readSse(follow)).events.map(
        (event) => event.data as { type: string; sequence_number: number },
      );
      expect(events[0]?.type).toBe('response.created');
      expect(events.at(-1)).toMatchObject({ type: 'response.completed', response: { status: 'completed' } });
      const resumed = (await readSse(await responses(b, `/${id}?stream=true&starting_after=2`))).events.map(
        (event) => event.data,
      );
      expect(resumed).toEqual(events.slice(3));

      mock.setHandler(() => ({ kind: 'hang' }));
      const before = new Set(await childrenOfA());
      seen = mock.requests.length;
      const hanging = (await json(
        await responses(a, '', { model: 'sonnet', input: 'Never answered.', background: true }),
      )) as { id: string };
      await mock.waitForRequests(seen + 1, 30_000);
      const running = (await childrenOfA()).filter((pid) => !before.has(pid));
      expect(running.length).toBeGreaterThan(0);
      const cancelled = await responses(b, `/${hanging.id}/cancel`, {});
      expect(cancelled.status).toBe(200);
      expect(await json(cancelled)).toMatchObject({ id: hanging.id, status: 'cancelled' });
      expect(
        await eventually(async () => {
          const left = new Set(await childrenOfA());
          return running.every((pid) => !left.has(pid));
        }, 10_000),
      ).toBe(true);
      expect(await json(await responses(a, `/${hanging.id}`))).toMatchObject({ status: 'cancelled' });
    } finally {
      release();
      mock.setHandler(echoHandler);
    }
  });

  it('reports usage and audit from both instances in one place', async () => {
    const { id, key } = await createKey('reporter');
    const { key: admin } = await createKey('ops', '--admin');
    expect((await chat(a, key, chatBody('one'))).status).toBe(200);
    expect((await chat(b, key, chatBody('two'))).status).toBe(200);
    expect((await chat(b, key, chatBody('three'))).status).toBe(200);
    for (const server of [a, b]) {
      const usage = await fetch(`${server.origin}/v1/usage`, { headers: bearer(admin) });
      expect(usage.status).toBe(200);
      const rows = (await json(usage)).data.filter((row: { key_id: string }) => row.key_id === id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ key_name: 'reporter', requests: 3, errors: 0 });
    }
    const report = await cli('usage', '--json');
    expect(report.code, report.stderr).toBe(0);
    // The CLI prints the same report shape as GET /v1/usage.
    const { data } = JSON.parse(report.stdout) as { data: Array<{ key_id: string; requests: number }> };
    const rows = data.filter((row) => row.key_id === id);
    expect(rows.map((row) => row.requests)).toEqual([3]);
  });

  it('streams a conversation through a round-robin balancer, each turn on the other instance, as one session', async () => {
    const { key } = await createKey('balanced');
    const balancer = await startRoundRobinBalancer([a.origin, b.origin]);
    try {
      const viaBalancer = (body: unknown) =>
        postJson(balancer.origin, '/v1/chat/completions', body, bearer(key));
      // Turn 1 streams slowly (100 ms between words): its first delta must reach the client while
      // the rest is still coming, i.e. the balancer passes SSE through unbuffered.
      mock.enqueue(text('Hello Ada, nice to meet you.', { chunkDelayMs: 100 }));
      const first = [{ role: 'user', content: 'My name is Ada.' }];
      const one = await viaBalancer({ model: 'sonnet', messages: first, stream: true });
      expect(one.status).toBe(200);
      const { firstDeltaBeforeEnd, content, done } = await readChatStream(one);
      expect(firstDeltaBeforeEnd).toBe(true);
      expect(done).toBe(true);
      expect(content).toBe('Hello Ada, nice to meet you.');
      const session = mock.requests.at(-1)?.headers['x-claude-code-session-id'];
      expect(session).toBeTruthy();

      const second = [
        ...first,
        { role: 'assistant', content },
        { role: 'user', content: 'What is my name?' },
      ];
      const two = await viaBalancer({ model: 'sonnet', messages: second });
      expect(two.status).toBe(200);
      const reply2 = (await json(two)).choices[0].message;
      const three = await viaBalancer({
        model: 'sonnet',
        messages: [...second, reply2, { role: 'user', content: 'Thanks.' }],
      });
      expect(three.status).toBe(200);
      // A, B, A: every turn landed on the other gateway, and each resumed the same session.
      expect(balancer.served).toEqual([0, 1, 0]);
      const last = mock.requests.at(-1);
      expect(last?.headers['x-claude-code-session-id']).toBe(session);
      expect(conversationOf(last)).toEqual([
        'user: My name is Ada.',
        'assistant: Hello Ada, nice to meet you.',
        'user: What is my name?',
        'assistant: echo: What is my name?',
        'user: Thanks.',
      ]);
    } finally {
      await balancer.close();
    }
  });

  it('keeps the audit rows of finished runs when an instance is killed mid-stream; the other serves on', async () => {
    const { id, key } = await createKey('survivor');
    const { key: admin } = await createKey('ops-2', '--admin');
    const finished = await chat(a, key, chatBody('finished before the crash'));
    expect(finished.status).toBe(200);
    const finishedId = finished.headers.get('x-request-id');

    mock.enqueue(text('this stream never ends in time', { chunkDelayMs: 60_000 }));
    const stream = await chat(a, key, chatBody('cut off', { stream: true }));
    expect(stream.status).toBe(200);
    const children = await pidtree(a.child.pid as number).catch(() => [] as number[]);
    a.child.kill('SIGKILL');
    await a.exited;
    // Its Claude Code processes lost their parent; end them by PID.
    for (const pid of children) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    await stream.text().catch(() => '');

    const onB = await chat(b, key, chatBody('after the crash'));
    expect(onB.status).toBe(200);
    expect((await json(onB)).choices[0].message.content).toBe('echo: after the crash');
    const usage = await json(await fetch(`${b.origin}/v1/usage`, { headers: bearer(admin) }));
    const row = usage.data.find((entry: { key_id: string }) => entry.key_id === id);
    // The run finished on A and the one on B are recorded; the cut-off stream never finished.
    expect(row).toMatchObject({ requests: 2 });
    const store = await openGatewayStore({ engine: 'postgres', url: databaseUrl });
    try {
      const entries = (await store.audit.recent(100)).filter((entry) => entry.keyId === id);
      expect(entries.map((entry) => entry.requestId)).toContain(finishedId);
      expect(entries.every((entry) => entry.status === 200)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('fails /ready and answers 503 store_unavailable while the database is away', async () => {
    const { key } = await createKey('last');
    expect((await fetch(`${b.origin}/ready`)).status).toBe(200);
    const reachedMock = mock.requests.length;
    await cluster?.stop();
    cluster = undefined;
    const ready = await fetch(`${b.origin}/ready`);
    expect(ready.status).toBe(503);
    expect((await json(ready)).checks).toMatchObject({ store_writable: false });
    const refused = await readError(await chat(b, key));
    expect(refused.status).toBe(503);
    expect(refused.error.code).toBe('store_unavailable');
    expect(mock.requests).toHaveLength(reachedMock);
  });
});

/**
 * Reads a chat completion stream as it arrives: the whole answer, whether it ended with [DONE], and
 * whether the first answer text reached the client in an earlier body chunk than the [DONE] (so
 * nothing on the way held the stream back until it ended).
 */
async function readChatStream(
  response: Response,
): Promise<{ firstDeltaBeforeEnd: boolean; content: string; done: boolean }> {
  let chunk = 0;
  let firstDeltaChunk: number | undefined;
  let doneChunk: number | undefined;
  let content = '';
  for await (const event of sseEvents(response, { onChunk: () => chunk++ })) {
    if (event.data === DONE) {
      doneChunk = chunk;
      continue;
    }
    const delta: string = event.data.choices[0]?.delta?.content ?? '';
    if (delta && firstDeltaChunk === undefined) firstDeltaChunk = chunk;
    content += delta;
  }
  return {
    firstDeltaBeforeEnd:
      firstDeltaChunk !== undefined && doneChunk !== undefined && firstDeltaChunk < doneChunk,
    content,
    done: doneChunk !== undefined,
  };
}
