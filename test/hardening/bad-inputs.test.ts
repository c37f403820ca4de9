import { request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { json } from '../core/wire.js';
import { useHarness } from '../helpers/gateway-harness.js';
import { readError } from '../security/http.js';

const KEY = 'sk-hardening-owner-key';
const MAX_BODY_BYTES = 64 * 1024;

const h = useHarness({
  config: { GATEWAY_API_KEYS: KEY, MAX_BODY_BYTES: String(MAX_BODY_BYTES) },
  resetMockBeforeEach: false,
});

const user = (content: unknown) => ({ model: 'sonnet', messages: [{ role: 'user', content }] });
const deep = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
const utf8 = (text: string) => Buffer.from(text, 'utf8');
/** A valid request whose message text contains the given raw bytes. */
const withBytes = (bytes: number[]) =>
  Buffer.concat([
    utf8('{"model":"sonnet","messages":[{"role":"user","content":"a'),
    Buffer.from(bytes),
    utf8('"}]}'),
  ]);

interface BadInput {
  name: string;
  body: string | Buffer;
  contentType?: string;
  status?: number;
}

/** A bounded burst of hostile or broken requests; every one must get a 4xx in the OpenAI shape. */
const BAD_INPUTS: BadInput[] = [
  // Malformed JSON
  { name: 'empty body', body: '' },
  { name: 'truncated object', body: '{"model":"sonnet","messages":[' },
  { name: 'bare word', body: 'nul' },
  { name: 'trailing comma', body: '{"model":"sonnet",}' },
  { name: 'two documents', body: '{"a":1}{"b":2}' },
  { name: 'NaN literal', body: '{"model":"sonnet","temperature":NaN}' },
  { name: 'single quotes', body: "{'model':'sonnet'}" },
  { name: 'JSON null', body: 'null' },
  { name: 'JSON array', body: '[]' },
  { name: 'JSON string', body: '"hello"' },
  { name: 'JSON number', body: '42' },
  // Wrong types
  { name: 'model is a number', body: JSON.stringify({ ...user('x'), model: 123 }) },
  { name: 'model is empty', body: JSON.stringify({ ...user('x'), model: '' }) },
  { name: 'messages is a string', body: JSON.stringify({ model: 'sonnet', messages: 'hi' }) },
  { name: 'messages is empty', body: JSON.stringify({ model: 'sonnet', messages: [] }) },
  { name: 'messages missing', body: JSON.stringify({ model: 'sonnet' }) },
  { name: 'content is a number', body: JSON.stringify(user(5)) },
  { name: 'content part of unknown type', body: JSON.stringify(user([{ type: 'hologram', data: 'x' }])) },
  { name: 'stream is a string', body: JSON.stringify({ ...user('x'), stream: 'yes' }) },
  { name: 'negative max_tokens', body: JSON.stringify({ ...user('x'), max_tokens: -1 }) },
  { name: 'temperature is a string', body: JSON.stringify({ ...user('x'), temperature: 'hot' }) },
  { name: 'tools is a string', body: JSON.stringify({ ...user('x'), tools: 'all of them' }) },
  { name: 'n is zero', body: JSON.stringify({ ...user('x'), n: 0 }) },
  { name: 'stop holds numbers', body: JSON.stringify({ ...user('x'), stop: [1, 2] }) },
  {
    name: 'tool with a bad name',
    body: JSON.stringify({ ...user('x'), tools: [{ type: 'function', function: { name: 'a b' } }] }),
  },
  // Unknown roles
  {
    name: 'unknown role',
    body: JSON.stringify({ model: 'sonnet', messages: [{ role: 'wizard', content: 'x' }] }),
  },
  { name: 'role missing', body: JSON.stringify({ model: 'sonnet', messages: [{ content: 'x' }] }) },
  { name: 'role null', body: JSON.stringify({ model: 'sonnet', messages: [{ role: null, content: 'x' }] }) },
  { name: 'message is a string', body: JSON.stringify({ model: 'sonnet', messages: ['hello'] }) },
  // Huge strings
  { name: 'huge model name', body: JSON.stringify({ ...user('x'), model: 'm'.repeat(60_000) }) },
  { name: 'body over the size limit', body: JSON.stringify(user('x'.repeat(MAX_BODY_BYTES))), status: 413 },
  // Deep nesting
  { name: 'deeply nested array', body: `{"model":"sonnet","messages":[],"metadata":${deep(10_000)}}` },
  { name: 'deeply nested objects', body: `${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}` },
  {
    name: 'nesting one over the limit',
    body: `{"model":"sonnet","messages":[{"role":"user","content":"x"}],"m":${deep(64)}}`,
  },
  // Invalid UTF-8
  { name: 'invalid UTF-8 byte', body: withBytes([0xff, 0xfe]) },
  { name: 'overlong encoding', body: withBytes([0xc0, 0xaf]) },
  { name: 'encoded surrogate', body: withBytes([0xed, 0xa0, 0x80]) },
  { name: 'truncated sequence', body: withBytes([0xe2, 0x82]) },
  // Not JSON at all
  { name: 'text/plain body', body: JSON.stringify(user('x')), contentType: 'text/plain' },
  { name: 'form body', body: 'model=sonnet&messages=hi', contentType: 'application/x-www-form-urlencoded' },
];

describe('a burst of bad inputs', () => {
  it('gets a 4xx OpenAI error for every one, runs nothing, and the server stays up', async () => {
    const outcomes: string[] = [];
    for (const input of BAD_INPUTS) {
      const response = await fetch(`${h.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': input.contentType ?? 'application/json' },
        body: input.body,
      });
      const reply = await readError(response);
      const expected = input.status ?? 400;
      if (reply.status !== expected) outcomes.push(`${input.name}: ${reply.status} ${reply.error.message}`);
    }
    expect(outcomes).toEqual([]);
    expect(h.mock.requests).toHaveLength(0);

    expect((await fetch(`${h.origin}/health`)).status).toBe(200);
    const good = await fetch(`${h.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify(user('still alive? ünïcödé ✓')),
    });
    expect(good.status).toBe(200);
    expect((await json(good)).choices[0].message.content).toBe('echo: still alive? ünïcödé ✓');
  });

  it('names the reason for deep nesting and bad encoding', async () => {
    const post = (body: string | Buffer) =>
      fetch(`${h.baseURL}/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
        body,
      });
    expect((await readError(await post(deep(100)))).error.code).toBe('json_too_deep');
    expect((await readError(await post(withBytes([0xff])))).error.code).toBe('invalid_encoding');
  });

  it('answers 413 for an oversized body sent chunked, without a content-length', async () => {
    const chunks = [
      utf8('{"model":"sonnet","messages":[{"role":"user","content":"'),
      utf8('y'.repeat(MAX_BODY_BYTES)),
      utf8('"}]}'),
    ];
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const chunk of chunks) controller.enqueue(chunk);
        controller.close();
      },
    });
    const response = await fetch(`${h.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit);
    const reply = await readError(response);
    expect(reply.status).toBe(413);
    expect(reply.error.code).toBe('request_too_large');
  });

  it('answers 431 to absurdly large headers and keeps serving', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(
        `${h.origin}/health`,
        { headers: { 'x-padding': 'p'.repeat(64 * 1024) } },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(status).toBe(431);
    expect((await fetch(`${h.origin}/health`)).status).toBe(200);
  });
});
