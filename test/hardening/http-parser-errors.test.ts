import { describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/gateway-harness.js';
import { openSocket, parseAnswer, readUntilClosed, sendRaw } from './raw-socket.js';

const h = useHarness({
  config: { SERVER_HEADERS_TIMEOUT_MS: '300', SERVER_REQUEST_TIMEOUT_MS: '600', SERVER_MAX_CONNECTIONS: '3' },
});

const host = () => `Host: ${new URL(h.origin).host}\r\n`;

function expectOpenAIError(body: string, code: string): void {
  const parsed = JSON.parse(body) as { error: Record<string, unknown> };
  expect(parsed.error).toEqual({
    message: expect.any(String),
    type: 'invalid_request_error',
    param: null,
    code,
  });
}

describe("errors of Node's HTTP parser", () => {
  it.each([
    [
      'headers too large',
      () => `GET /health HTTP/1.1\r\n${host()}X-Padding: ${'p'.repeat(64 * 1024)}\r\n\r\n`,
      431,
      'headers_too_large',
    ],
    ['a malformed request line', () => 'GET /health HTTP/9.Z\r\n\r\n', 400, 'malformed_http_request'],
    ['a request line with no path', () => 'NONSENSE\r\n\r\n', 400, 'malformed_http_request'],
    [
      'Content-Length with Transfer-Encoding',
      () =>
        `POST /v1/chat/completions HTTP/1.1\r\n${host()}Content-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`,
      400,
      'malformed_http_request',
    ],
  ])('answers %s with the OpenAI error body', async (_, bytes, status, code) => {
    const answer = await sendRaw(h.origin, bytes());
    expect(answer.status).toBe(status);
    expectOpenAIError(answer.body, code);
    expect((await fetch(`${h.origin}/health`)).status).toBe(200);
  });
});

describe('server limits', () => {
  it('answers 408 in the OpenAI shape when the headers never finish (SERVER_HEADERS_TIMEOUT_MS)', async () => {
    const socket = await openSocket(h.origin);
    const answer = readUntilClosed(socket);
    socket.write(`GET /health HTTP/1.1\r\n${host()}X-Slow: `);
    const { status, body } = parseAnswer(await answer);
    expect(status).toBe(408);
    expectOpenAIError(body, 'request_timeout');
  });

  it('closes connections past SERVER_MAX_CONNECTIONS and serves again once one is freed', async () => {
    const held = await Promise.all([openSocket(h.origin), openSocket(h.origin), openSocket(h.origin)]);
    // Keep them busy with a started request so they are not idle keep-alive connections.
    for (const socket of held) socket.write(`GET /health HTTP/1.1\r\n${host()}`);
    const extra = await openSocket(h.origin);
    const extraAnswer = await readUntilClosed(extra);
    expect(extraAnswer).toBe('');
    for (const socket of held) socket.destroy();
    let status = 0;
    for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
      status = await fetch(`${h.origin}/health`).then(
        (r) => r.status,
        () => 0,
      );
      // The server notices the closed sockets a moment later; poll, bounded.
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(status).toBe(200);
  });
});
