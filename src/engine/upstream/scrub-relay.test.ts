import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ScrubRelay, startScrubRelay } from './scrub-relay.js';

const ENVIRONMENT = {
  type: 'text',
  text: '# Environment\n - OS Version: Linux 6.18\n\nToday is today.',
  cache_control: { type: 'ephemeral' },
};
const quiet = { debug: () => {}, warn: () => {} };

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A stand-in for the Claude API: records what it got, answers with `answer`. */
async function startUpstream(answer: (req: IncomingMessage, res: ServerResponse) => void) {
  const received: Received[] = [];
  const closed: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({
      method: req.method ?? '',
      url: req.url ?? '',
      headers: req.headers,
      body: Buffer.concat(chunks).toString(),
    });
    res.once('close', () => closed.push(res.writableFinished ? 'finished' : 'aborted'));
    answer(req, res);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prefix`;
  return {
    url,
    received,
    closed,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let relay: ScrubRelay;
let upstream: Awaited<ReturnType<typeof startUpstream>>;
let answer: (req: IncomingMessage, res: ServerResponse) => void;

beforeEach(async () => {
  answer = (_req, res) => res.end('{}');
  upstream = await startUpstream((req, res) => answer(req, res));
  relay = await startScrubRelay({ ownDirectories: ['/var/lib/gateway'], logger: quiet });
});
afterEach(async () => {
  await relay.close();
  await upstream.close();
});

function post(path: string, body: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${relay.baseUrlFor({ upstream: upstream.url, proxy: {} })}${path}`, {
    method: 'POST',
    ...init,
    headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-client', ...init.headers },
    body,
  });
}

describe('the scrub relay', () => {
  it("takes the host's details out of a Messages request, and passes the rest on to the process's upstream", async () => {
    const body = {
      model: 'm',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'system', content: [ENVIRONMENT] },
      ],
      stream: true,
    };
    const response = await post('/v1/messages?beta=true', JSON.stringify(body), {
      headers: { authorization: 'Bearer oauth-token', 'anthropic-beta': 'a,b' },
    });
    expect(response.status).toBe(200);
    const [got] = upstream.received;
    expect(got?.url).toBe('/prefix/v1/messages?beta=true');
    expect(got?.headers).toMatchObject({
      'x-api-key': 'sk-ant-client',
      authorization: 'Bearer oauth-token',
      'anthropic-beta': 'a,b',
      host: new URL(upstream.url).host,
      'content-length': String(Buffer.byteLength(got?.body ?? '')),
    });
    expect(JSON.parse(got?.body ?? '')).toEqual({
      model: 'm',
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'system', content: [{ ...ENVIRONMENT, text: '# Environment\n\nToday is today.' }] },
      ],
      stream: true,
    });
  });

  it("keeps the line naming a working directory outside the gateway's own (an agent run's)", async () => {
    const block = (cwd: string) => ({
      type: 'text',
      text: `# Environment\n - Primary working directory: ${cwd}\n - OS Version: Linux 6.18`,
    });
    for (const cwd of ['/home/dev/project', '/var/lib/gateway/workspace']) {
      await post(
        '/v1/messages',
        JSON.stringify({
          messages: [
            { role: 'user', content: 'hi' },
            { role: 'system', content: [block(cwd)] },
          ],
        }),
      );
    }
    const [agent, chat] = upstream.received.map((request) => JSON.parse(request.body).messages);
    expect(agent).toEqual([
      { role: 'user', content: 'hi' },
      {
        role: 'system',
        content: [{ type: 'text', text: '# Environment\n - Primary working directory: /home/dev/project\n' }],
      },
    ]);
    expect(chat).toEqual([
      { role: 'user', content: 'hi' },
      { role: 'system', content: [{ type: 'text', text: '# Environment\n' }] },
    ]);
  });

  it('scrubs token counts too, and passes a body without host details (or not JSON) on byte for byte', async () => {
    const counted = {
      messages: [
        { role: 'user', content: 'hi' },
        { role: 'system', content: [ENVIRONMENT] },
      ],
    };
    await post('/v1/messages/count_tokens', JSON.stringify(counted));
    expect(upstream.received[0]?.body).not.toContain('Linux 6.18');
    const clean = '{ "messages" : [ {"role":"user","content":"h\\u00e9"} ] }';
    await post('/v1/messages', clean);
    await post('/v1/messages', '{not json');
    await post('/v1/other', JSON.stringify(counted));
    expect(upstream.received.slice(1).map((request) => request.body)).toEqual([
      clean,
      '{not json',
      JSON.stringify(counted),
    ]);
  });

  it("answers with the upstream's status, headers and body as they were (an error with retry-after included)", async () => {
    answer = (_req, res) => {
      res.writeHead(429, {
        'retry-after': '7',
        'request-id': 'req_1',
        'content-type': 'application/json',
        'x-custom': 'y',
      });
      res.end('{"type":"error","error":{"type":"rate_limit_error"}}');
    };
    const response = await post('/v1/messages', '{}');
    expect(response.status).toBe(429);
    expect(Object.fromEntries(response.headers)).toMatchObject({
      'retry-after': '7',
      'request-id': 'req_1',
      'x-custom': 'y',
    });
    expect(await response.text()).toBe('{"type":"error","error":{"type":"rate_limit_error"}}');
    const models = await fetch(
      `${relay.baseUrlFor({ upstream: upstream.url, proxy: {} })}/v1/models?limit=1`,
      {
        headers: { 'x-api-key': 'k' },
      },
    );
    expect(models.status).toBe(429);
    expect(upstream.received[1]).toMatchObject({ method: 'GET', url: '/prefix/v1/models?limit=1' });
  });

  it('streams the answer as it comes: the first event arrives while the upstream is still writing', async () => {
    let finish = () => {};
    answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: message_start\ndata: {}\n\n');
      finish = () => res.end('event: message_stop\ndata: {}\n\n');
    };
    const response = await post('/v1/messages', '{"stream":true}');
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const first = await reader.read();
    expect(new TextDecoder().decode(first.value)).toBe('event: message_start\ndata: {}\n\n');
    finish();
    let rest = '';
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read())
      rest += new TextDecoder().decode(chunk.value);
    expect(rest).toBe('event: message_stop\ndata: {}\n\n');
  });

  it('ends the upstream request when Claude Code goes away', async () => {
    answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('event: ping\n\n');
    };
    const abort = new AbortController();
    const response = await post('/v1/messages', '{}', { signal: abort.signal });
    await (response.body as ReadableStream<Uint8Array>).getReader().read();
    abort.abort();
    await expect.poll(() => upstream.closed).toEqual(['aborted']);
  });

  it('refuses an unknown route, and closes the connection when the upstream cannot be reached', async () => {
    const base = relay.baseUrlFor({ upstream: upstream.url, proxy: {} });
    const unknown = await fetch(`${new URL(base).origin}/${'0'.repeat(32)}/v1/messages`, {
      method: 'POST',
      body: '{}',
    });
    expect(unknown.status).toBe(404);
    await upstream.close();
    await expect(post('/v1/messages', '{}')).rejects.toThrow();
  });

  it('goes through the outbound proxy the process would have used', async () => {
    const tunnels: string[] = [];
    const proxy = createServer();
    proxy.on('connect', (req: IncomingMessage, client, head: Buffer) => {
      tunnels.push(req.url ?? '');
      const [host, port] = (req.url ?? '').split(':');
      const server = connect(Number(port), host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        server.write(head);
        server.pipe(client).pipe(server);
      });
    });
    proxy.listen(0, '127.0.0.1');
    await once(proxy, 'listening');
    try {
      const httpProxy = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const base = relay.baseUrlFor({ upstream: upstream.url, proxy: { httpProxy } });
      expect(base).not.toBe(relay.baseUrlFor({ upstream: upstream.url, proxy: {} }));
      const response = await fetch(`${base}/v1/messages`, { method: 'POST', body: '{}' });
      expect(response.status).toBe(200);
      expect(tunnels).toEqual([new URL(upstream.url).host]);
      expect(upstream.received).toHaveLength(1);
    } finally {
      await relay.close();
      proxy.closeAllConnections();
      proxy.close();
    }
  });

  it("holds a held session's requests until its turn may run, and lets other sessions' through", async () => {
    const hold = relay.holds.hold('session-held');
    const held = post('/v1/messages', '{"model":"m","messages":[]}', {
      headers: { 'x-claude-code-session-id': 'session-held' },
    });
    const other = await post('/v1/messages', '{"model":"m","messages":[]}', {
      headers: { 'x-claude-code-session-id': 'session-free' },
    });
    expect(other.status).toBe(200);
    // The held request has reached the relay, and no further.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(upstream.received.map((r) => r.headers['x-claude-code-session-id'])).toEqual(['session-free']);
    hold.open();
    expect((await held).status).toBe(200);
    expect(upstream.received.map((r) => r.headers['x-claude-code-session-id'])).toEqual([
      'session-free',
      'session-held',
    ]);
  });

  it('closes the connection of a held request whose turn will not run, and sends nothing upstream', async () => {
    const hold = relay.holds.hold('session-gone');
    const held = post('/v1/messages', '{"model":"m","messages":[]}', {
      headers: { 'x-claude-code-session-id': 'session-gone' },
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    hold.discard();
    await expect(held).rejects.toThrow();
    expect(upstream.received).toHaveLength(0);
  });

  it('names the same route for the same upstream for its whole life', () => {
    expect(relay.baseUrlFor({ upstream: upstream.url, proxy: {} })).toBe(
      relay.baseUrlFor({ upstream: upstream.url, proxy: {} }),
    );
    expect(relay.baseUrlFor({ upstream: upstream.url, proxy: {} })).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/[0-9a-f]{32}$/,
    );
  });
});
