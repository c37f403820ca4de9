import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { describe, expect, it } from 'vitest';
import { bodySizeLimit } from './body-size-limit.js';

function app() {
  const limited = new Hono();
  limited.use(
    bodySizeLimit({
      maxBytes: 10,
      onTooLarge: () => {
        throw new HTTPException(413, { message: 'too large' });
      },
    }),
  );
  limited.post('/', async (c) => c.text(await c.req.text()));
  limited.get('/', (c) => c.text('got'));
  return limited;
}

/** A body without Content-Length: sent chunked, so only counting what arrives can bound it. */
function chunked(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  return new ReadableStream({
    start(controller) {
      controller.enqueue(bytes.slice(0, 4));
      controller.enqueue(bytes.slice(4));
      controller.close();
    },
  });
}

describe('bodySizeLimit', () => {
  it('refuses a declared length over the limit and passes one at the limit, body intact', async () => {
    const over = await app().request('/', {
      method: 'POST',
      body: '01234567890',
      headers: { 'content-length': '11' },
    });
    expect(over.status).toBe(413);
    const at = await app().request('/', {
      method: 'POST',
      body: '0123456789',
      headers: { 'content-length': '10' },
    });
    expect(at.status).toBe(200);
    expect(await at.text()).toBe('0123456789');
  });

  it('counts a chunked body as it arrives', async () => {
    const init = (text: string) => ({ method: 'POST', body: chunked(text), duplex: 'half' }) as RequestInit;
    expect((await app().request('/', init('01234567890'))).status).toBe(413);
    const within = await app().request('/', init('012345'));
    expect(within.status).toBe(200);
    expect(await within.text()).toBe('012345');
  });

  it('lets requests without a body through', async () => {
    expect(await (await app().request('/')).text()).toBe('got');
  });
});
