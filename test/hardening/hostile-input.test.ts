import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { json } from '../core/wire.js';
import { useHarness } from '../helpers/gateway-harness.js';
import { readSse } from '../helpers/sse-events.js';
import { bearer, chatBody, postJson, readError } from '../security/http.js';

const KEY = 'sk-hostile-input-owner-key';
const h = useHarness({ config: { GATEWAY_API_KEYS: KEY } });
const post = (body: unknown) => postJson(h.origin, '/v1/chat/completions', body, bearer(KEY));

/** Bytes of the SQLite store with its journal files. */
async function storeBytes(dataDir: string): Promise<number> {
  const names = (await readdir(dataDir)).filter((name) => name.startsWith('gateway.db'));
  const sizes = await Promise.all(names.map(async (name) => (await stat(path.join(dataDir, name))).size));
  return sizes.reduce((sum, size) => sum + size, 0);
}

describe('unbounded strings', () => {
  it('refuses a 4 MB model name with a 400 naming the field, without growing the store or echoing it', async () => {
    const before = await storeBytes(h.dataDir);
    const huge = 'm'.repeat(4 * 1024 * 1024);
    for (let i = 0; i < 4; i++) {
      const response = await post(chatBody('x', { model: huge }));
      const text = await response.text();
      expect(response.status).toBe(400);
      expect(JSON.parse(text).error.param).toBe('model');
      expect(text.length).toBeLessThan(1_000);
    }
    expect((await storeBytes(h.dataDir)) - before).toBeLessThan(256 * 1024);
    expect(h.mock.requests).toHaveLength(0);
  });

  it.each([
    ['user', { user: 'u'.repeat(10_000) }, 'user'],
    ['a stop sequence', { stop: ['ok', 's'.repeat(10_000)] }, 'stop[1]'],
    ['a metadata value', { metadata: { k: 'v'.repeat(10_000) } }, 'metadata.k'],
    [
      'a tool_choice name',
      { tool_choice: { type: 'function', function: { name: 'f'.repeat(1_000) } } },
      'tool_choice.function.name',
    ],
  ])('caps %s', async (_, extra, param) => {
    const reply = await readError(await post(chatBody('x', extra)));
    expect(reply.status).toBe(400);
    expect(reply.error.param).toBe(param);
  });

  it('does not echo a huge metadata key in the param or message', async () => {
    const key = 'k'.repeat(100_000);
    const response = await post(chatBody('x', { metadata: { [key]: 'v' } }));
    const text = await response.text();
    expect(response.status).toBe(400);
    expect(JSON.parse(text).error.param).toMatch(/^metadata\.k+… \(100000 characters\)$/);
    expect(text.length).toBeLessThan(1_000);
  });

  it('cuts an unknown model name short where the 404 echoes it', async () => {
    const name = `x${'y'.repeat(200)}`;
    const reply = await readError(await post(chatBody('x', { model: name })));
    expect(reply.status).toBe(404);
    expect(reply.error.code).toBe('model_not_found');
    expect(reply.error.message).not.toContain(name);
    expect(reply.error.message).toContain('201 characters');
  });
});

describe('exact answers under hostile input', () => {
  it('answers 404 model_not_found to a model id that is not valid percent-encoding', async () => {
    const reply = await readError(await fetch(`${h.baseURL}/models/%E0%A4%A`, { headers: bearer(KEY) }));
    expect(reply.status).toBe(404);
    expect(reply.error.code).toBe('model_not_found');
  });

  it.each([
    ['required', 'required'],
    ['a named function', { type: 'function', function: { name: 'lookup' } }],
  ])('refuses tool_choice %s without tools, naming tool_choice', async (_, toolChoice) => {
    const reply = await readError(await post(chatBody('x', { tool_choice: toolChoice })));
    expect(reply.status).toBe(400);
    expect(reply.error.param).toBe('tool_choice');
    expect(h.mock.requests).toHaveLength(0);
  });

  it.each(['max_tokens', 'max_completion_tokens'])(
    'refuses %s above what any served model allows',
    async (name) => {
      const reply = await readError(await post(chatBody('x', { [name]: 1e12 })));
      expect(reply.status).toBe(400);
      expect(reply.error.param).toBe(name);
      expect(h.mock.requests).toHaveLength(0);
    },
  );

  it('omits system_fingerprint from responses and chunks instead of sending null', async () => {
    const completion = await json(await post(chatBody('fp')));
    expect(completion.choices[0].message.content).toBe('echo: fp');
    expect(completion).not.toHaveProperty('system_fingerprint');
    const sse = await readSse(await post(chatBody('fp', { stream: true })));
    expect(sse.events.length).toBeGreaterThan(0);
    for (const event of sse.events) expect(event.data).not.toHaveProperty('system_fingerprint');
  });
});
