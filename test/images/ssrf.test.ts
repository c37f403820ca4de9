import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/gateway-harness.js';
import { text } from '../mock-anthropic/server.js';
import { postJson, readError } from '../security/http.js';
import { type ImageServer, startImageServer } from './fixtures.js';

let server: ImageServer;
let port: string;
beforeAll(async () => {
  server = await startImageServer(4096);
  port = new URL(server.origin).port;
});
afterAll(async () => {
  await server?.close();
});

const withImage = (url: string) => ({
  model: 'sonnet',
  messages: [
    {
      role: 'user',
      content: [
        { type: 'text', text: 'look' },
        { type: 'image_url', image_url: { url } },
      ],
    },
  ],
});

/** A port that was just free: nothing listens on it. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port: free } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return free;
}

describe('remote images without an allowlist', () => {
  const h = useHarness({ config: { REMOTE_IMAGES: 'true', REMOTE_IMAGE_TIMEOUT_MS: '2000' } });

  it.each([
    ['loopback address', (p: string) => `http://127.0.0.1:${p}/pixel.png`],
    ['localhost', (p: string) => `http://localhost:${p}/pixel.png`],
    ['decimal IPv4', (p: string) => `http://2130706433:${p}/pixel.png`],
    ['hex IPv4', (p: string) => `http://0x7f000001:${p}/pixel.png`],
    ['short IPv4', (p: string) => `http://127.1:${p}/pixel.png`],
    ['IPv6 loopback', (p: string) => `http://[::1]:${p}/pixel.png`],
    ['IPv4-mapped IPv6', (p: string) => `http://[::ffff:127.0.0.1]:${p}/pixel.png`],
    ['private network', () => 'http://10.0.0.1/pixel.png'],
    ['cloud metadata', () => 'http://169.254.169.254/latest/meta-data/'],
    ['unique-local IPv6', () => 'http://[fd00::1]/pixel.png'],
    ['unspecified', (p: string) => `http://0.0.0.0:${p}/pixel.png`],
  ])('refuses the %s before connecting', async (_, url) => {
    const before = server.hits.get('/pixel.png') ?? 0;
    const reply = await readError(await postJson(h.origin, '/v1/chat/completions', withImage(url(port))));
    expect(reply.status).toBe(400);
    expect(reply.error).toMatchObject({
      code: 'image_fetch_failed',
      param: 'messages[0].content[1].image_url',
    });
    expect(reply.error.message).toContain('not a public internet address');
    expect(server.hits.get('/pixel.png') ?? 0).toBe(before);
    expect(h.mock.requests).toHaveLength(0);
  });
});

describe('remote images with an allowlist', () => {
  const h = useHarness({
    config: {
      REMOTE_IMAGES: 'true',
      REMOTE_IMAGE_TIMEOUT_MS: '2000',
      REMOTE_IMAGE_ALLOWED_HOSTS: 'localhost',
    },
  });

  it('fetches from an allowed host, so the guard does not stop real fetches', async () => {
    h.mock.enqueue(text('a pixel'));
    const response = await postJson(
      h.origin,
      '/v1/chat/completions',
      withImage(`http://localhost:${port}/pixel.png`),
    );
    expect(response.status).toBe(200);
    const image = JSON.stringify(h.mock.requests[0]?.body.messages).includes('"type":"image"');
    expect(image).toBe(true);
  });

  it('checks every redirect hop: an allowed host cannot bounce the fetch to loopback', async () => {
    const before = server.hits.get('/pixel.png') ?? 0;
    const reply = await readError(
      await postJson(
        h.origin,
        '/v1/chat/completions',
        withImage(`http://localhost:${port}/redirect-to-loopback`),
      ),
    );
    expect(reply.status).toBe(400);
    expect(reply.error.message).toContain('not a public internet address');
    expect(server.hits.get('/redirect-to-loopback')).toBeGreaterThan(0);
    expect(server.hits.get('/pixel.png') ?? 0).toBe(before);
  });

  it('says the same about a closed port as about a port that never answers', async () => {
    const closed = await readError(
      await postJson(
        h.origin,
        '/v1/chat/completions',
        withImage(`http://localhost:${await closedPort()}/x.png`),
      ),
    );
    const hanging = await readError(
      await postJson(h.origin, '/v1/chat/completions', withImage(`http://localhost:${port}/hang.png`)),
    );
    expect(closed.error.message).toBe(hanging.error.message);
    expect(closed.error.message).not.toMatch(/ECONNREFUSED|refused|timeout|within/i);
  });
});
