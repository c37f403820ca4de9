import { describe, expect, it } from 'vitest';
import { eventually, isAlive, startHarness } from '../helpers/gateway-harness.js';
import { readSse } from '../helpers/sse-events.js';
import { text } from '../mock-anthropic/server.js';
import { json, postChat } from './wire.js';

describe('timeouts, missing CLI and the wait queue', () => {
  it('answers 504 when a run outlives REQUEST_TIMEOUT_MS, and ends the CLI', async () => {
    const h = await startHarness({ config: { REQUEST_TIMEOUT_MS: '1500' } });
    try {
      h.mock.enqueue({ kind: 'hang' });
      const response = await postChat(h.origin, {
        model: 'sonnet',
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(response.status).toBe(504);
      expect((await json(response)).error).toMatchObject({ type: 'timeout_error', code: 'request_timeout' });
      expect(await eventually(() => h.gateway.processes.liveCount === 0, 2_000)).toBe(true);
    } finally {
      await h.close();
    }
  });

  it('sends the timeout as an error frame once the stream has started', async () => {
    // The timeout runs from the request, Claude Code's start included: long enough for a loaded
    // machine to start it and stream (else this is the 504 case above), far shorter than the answer.
    const h = await startHarness({ config: { REQUEST_TIMEOUT_MS: '6000' } });
    try {
      h.mock.enqueue(text(Array.from({ length: 300 }, (_, i) => `w${i}`).join(' '), { chunkDelayMs: 100 }));
      const response = await postChat(h.origin, {
        model: 'sonnet',
        stream: true,
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(response.status).toBe(200);
      const sse = await readSse(response);
      expect(sse.done).toBe(false);
      expect(sse.events.at(-1)?.data.error).toMatchObject({ code: 'request_timeout' });
      expect(sse.events.length).toBeGreaterThan(2);
    } finally {
      await h.close();
    }
  });

  it('ends the CLI within 2 s when a non-streaming client disconnects', async () => {
    const h = await startHarness();
    try {
      h.mock.setHandler(() => ({ kind: 'hang' }));
      const controller = new AbortController();
      const request = fetch(`${h.origin}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] }),
        signal: controller.signal,
      }).catch((error: unknown) => error);
      await h.mock.waitForRequests(1);
      const [pid] = h.gateway.processes.livePids();
      if (pid === undefined) throw new Error('no CLI process');
      controller.abort();
      await request;
      expect(await eventually(() => !isAlive(pid), 2_000)).toBe(true);
      expect(await eventually(() => h.gateway.queue.running === 0, 1_000)).toBe(true);
    } finally {
      await h.close();
    }
  });

  it('answers 503 claude_code_unavailable when the executable is missing', async () => {
    const h = await startHarness({ config: { CLAUDE_PATH: '/nonexistent/claude' } });
    try {
      const response = await postChat(h.origin, {
        model: 'sonnet',
        messages: [{ role: 'user', content: 'hi' }],
      });
      expect(response.status).toBe(503);
      expect((await json(response)).error).toMatchObject({ code: 'claude_code_unavailable' });
      const health = await json(await fetch(`${h.origin}/health`));
      expect(health).toMatchObject({ status: 'degraded', claude_code: { found: false } });
    } finally {
      await h.close();
    }
  });

  it('lets a request wait for a slot, and answers 503 when the wait times out', async () => {
    const h = await startHarness({
      config: { MAX_CONCURRENCY: '1', MAX_QUEUE: '4', QUEUE_TIMEOUT_MS: '800' },
    });
    try {
      h.mock.setHandler(() => ({ kind: 'hang' }));
      const first = postChat(h.origin, {
        model: 'sonnet',
        messages: [{ role: 'user', content: 'slow' }],
      }).catch(() => undefined);
      await h.mock.waitForRequests(1);
      const [pid] = h.gateway.processes.livePids();
      const waiting = await postChat(h.origin, {
        model: 'sonnet',
        messages: [{ role: 'user', content: 'waits' }],
      });
      expect(waiting.status).toBe(503);
      expect(waiting.headers.get('retry-after')).toBeTruthy();
      expect((await json(waiting)).error.code).toBe('queue_timeout');
      if (pid !== undefined) expect(isAlive(pid)).toBe(true);
      void first;
    } finally {
      await h.close();
    }
    expect(h.gateway.processes.liveCount).toBe(0);
  });
});
