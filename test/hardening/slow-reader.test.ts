import { describe, expect, it } from 'vitest';
import { eventually, useHarness } from '../helpers/gateway-harness.js';
import { readSse } from '../helpers/sse-events.js';
import { text } from '../mock-anthropic/server.js';
import { chatBody, postJson } from '../security/http.js';
import { openSocket, readUntilClosed } from './raw-socket.js';

const h = useHarness({ config: { STREAM_STALL_TIMEOUT_MS: '500' } });

/** An answer far larger than the socket buffers between gateway and client (40 pieces of 256 KiB). */
const HUGE = Array.from({ length: 40 }, (_, i) => `${String(i)}${'z'.repeat(256 * 1024)}`).join(' ');

describe('a client that stops reading its stream', () => {
  it('loses its stream after STREAM_STALL_TIMEOUT_MS, which frees the run slot and ends Claude Code', async () => {
    h.mock.enqueue(text(HUGE));
    const socket = await openSocket(h.origin);
    const body = JSON.stringify(chatBody('flood me', { stream: true }));
    socket.write(
      `POST /v1/chat/completions HTTP/1.1\r\nHost: ${new URL(h.origin).host}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    // Read the first bytes (the run has started), then never read again.
    await new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.pause();

    expect(await eventually(() => h.gateway.queue.running === 0, 15_000)).toBe(true);
    expect(await eventually(() => h.gateway.processes.liveCount === 0, 15_000)).toBe(true);
    expect(h.mock.requests).toHaveLength(1);
    // Reading again gets what was already buffered, then the end: the stream was cut, never finished.
    const rest = readUntilClosed(socket);
    socket.resume();
    expect(await rest).not.toContain('[DONE]');
  });

  it('does not touch a client that reads: the same answer arrives whole', async () => {
    h.mock.enqueue(text(HUGE));
    const sse = await readSse(
      await postJson(h.origin, '/v1/chat/completions', chatBody('flood me', { stream: true })),
    );
    expect(sse.done).toBe(true);
    const content = sse.events.map((event) => event.data.choices[0]?.delta?.content ?? '').join('');
    expect(content).toBe(HUGE);
  });
});
