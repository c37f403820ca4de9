import { readFileSync } from 'node:fs';
import pidtree from 'pidtree';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, isAlive } from '../helpers/gateway-harness.js';
import { DONE, type SseEvent, sseEvents } from '../helpers/sse-events.js';
import { type MockAnthropic, startMockAnthropic, text } from '../mock-anthropic/server.js';
import { chatBody, postJson } from '../security/http.js';
import { runServerToExit, type ServerProcess, startServerProcess } from './server-process.js';

let mock: MockAnthropic;
let server: ServerProcess | undefined;
beforeAll(async () => {
  mock = await startMockAnthropic();
});
afterEach(async () => {
  await server?.cleanup();
  server = undefined;
  mock.reset();
});
afterAll(async () => {
  await mock?.close();
});

/**
 * Takes an SSE body's first event now and the rest later: everything up to the stream's end, or up
 * to the connection's end when the server cuts it (fetch reports that as a TypeError).
 */
async function firstEvent(response: Response) {
  const events = sseEvents(response);
  const first = await events.next();
  return {
    async rest(): Promise<SseEvent[]> {
      const all = first.done ? [] : [first.value];
      try {
        for await (const event of events) all.push(event);
      } catch (error) {
        if (!(error instanceof TypeError)) throw error;
      }
      return all;
    },
  };
}

/**
 * Alive and not a zombie. Orphans are re-parented to this container's init, which may never reap
 * them (tsx's esbuild helper ends up so): a zombie has exited and holds nothing but its pid.
 */
function isRunning(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return isAlive(pid);
  }
}

async function descendantsOf(pid: number): Promise<number[]> {
  return pidtree(pid).catch(() => []);
}

describe('graceful shutdown on SIGTERM', () => {
  it('lets a running stream finish, refuses new work, exits 0 and leaves no process behind', async () => {
    server = await startServerProcess(mock.url, { SHUTDOWN_GRACE_MS: '30000' });
    const words = 'one two three four five six seven eight';
    mock.enqueue(text(words, { chunkDelayMs: 150 }));
    const response = await postJson(
      server.origin,
      '/v1/chat/completions',
      chatBody('count', { stream: true }),
    );
    expect(response.status).toBe(200);
    const stream = await firstEvent(response);
    const pids = await descendantsOf(server.child.pid as number);
    expect(pids.length).toBeGreaterThan(0);

    server.child.kill('SIGTERM');
    const draining = () =>
      server?.logs.some((entry) => entry.msg === 'shutting down: finishing running requests');
    expect(await eventually(() => draining() === true, 10_000)).toBe(true);
    const late = await postJson(server.origin, '/v1/chat/completions', chatBody('too late')).then(
      (reply) => reply.status,
      () => 'connection refused',
    );
    expect([503, 'connection refused']).toContain(late);
    const events = await stream.rest();
    const exit = await server.exited;

    expect(events.at(-1)?.data).toBe(DONE);
    const content = events
      .slice(0, -1)
      .map((event) => event.data.choices[0]?.delta?.content ?? '')
      .join('');
    expect(content).toBe(words);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(pids.filter(isRunning)).toEqual([]);
    expect(server.logs.map((entry) => entry.msg)).toContain('stopped');
    expect(server.logs.map((entry) => entry.msg)).not.toContain(
      'grace period over: aborting running requests',
    );
  });

  it('aborts runs still going after SHUTDOWN_GRACE_MS, ends their streams and kills every CLI', async () => {
    server = await startServerProcess(mock.url, { SHUTDOWN_GRACE_MS: '200', KILL_GRACE_MS: '200' });
    // Streams its first word, then stalls far beyond the grace period.
    mock.enqueue(text('first then nothing for a long time', { chunkDelayMs: 60_000 }));
    const response = await postJson(
      server.origin,
      '/v1/chat/completions',
      chatBody('stall', { stream: true }),
    );
    expect(response.status).toBe(200);
    const stream = await firstEvent(response);
    const pids = await descendantsOf(server.child.pid as number);
    expect(pids.length).toBeGreaterThan(0);

    server.child.kill('SIGTERM');
    const events = await stream.rest();
    const exit = await server.exited;

    expect(exit).toEqual({ code: 0, signal: null });
    // The client learns the run was cut short: an error frame, no [DONE].
    expect(events.at(-1)?.data).toMatchObject({ error: { message: expect.any(String) } });
    expect(events.map((event) => event.data)).not.toContain(DONE);
    expect(pids.filter(isRunning)).toEqual([]);
    expect(server.logs.map((entry) => entry.msg)).toContain('grace period over: aborting running requests');
  });
});

describe('start-up exposure check', () => {
  it('refuses a non-loopback HOST without keys, with a clear message and exit code 1', async () => {
    const run = await runServerToExit({ HOST: '0.0.0.0', PORT: '0' });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('refusing to listen on 0.0.0.0 without API keys');
    expect(run.stderr).toContain('AUTH_DISABLED=true');
  });
});
