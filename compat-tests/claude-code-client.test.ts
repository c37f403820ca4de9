/**
 * The real Claude Code CLI as a client of the gateway (`ANTHROPIC_BASE_URL` pointing at it), with the
 * gateway's own Claude Code behind it talking to the mock. Two CLIs: the client one runs its tools on
 * its side; the gateway's one must only relay them to the model as client tools.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bundledExecutablePath } from '../src/engine/processes/executable.js';
import { useHarness } from '../test/helpers/gateway-harness.js';
import { type RecordedRequest, text } from '../test/mock-anthropic/server.js';
import { clientCall, offeredTools, reply, toolResults } from '../test/tools/tool-replies.js';

const h = useHarness();
const run = promisify(execFile);

let scratch: string;
let recorder: Recorder;
beforeEach(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'claude-code-client-'));
  await Promise.all(['home', 'cwd', 'config', 'tmp'].map((dir) => mkdir(path.join(scratch, dir))));
  recorder = await startRecorder(h.origin);
});
afterEach(async () => {
  await recorder.close();
  await rm(scratch, { recursive: true, force: true });
});

interface Recorder {
  url: string;
  /** JSON bodies the client CLI POSTed to /v1/messages (not count_tokens), in order. */
  messages: Array<{ system?: Array<{ text: string }> | string }>;
  close(): Promise<void>;
}

/** A pass-through proxy on 127.0.0.1 that records what the client CLI sends the gateway. */
async function startRecorder(target: string): Promise<Recorder> {
  const messages: Recorder['messages'] = [];
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    if (req.method === 'POST' && /^\/v1\/messages(\?|$)/.test(req.url ?? '')) {
      messages.push(JSON.parse(body.toString('utf8')) as Recorder['messages'][number]);
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers)) {
      if (typeof value === 'string' && name !== 'host' && name !== 'content-length') headers.set(name, value);
    }
    const upstream = await fetch(`${target}${req.url ?? '/'}`, {
      method: req.method ?? 'GET',
      headers,
      ...(body.length > 0 ? { body } : {}),
    });
    res.writeHead(upstream.status, Object.fromEntries(upstream.headers));
    if (upstream.body) for await (const chunk of upstream.body) res.write(chunk);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    messages,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `claude -p <prompt>` with the gateway as its Messages API and its own scratch config. */
async function claudeAsClient(prompt: string): Promise<string> {
  const binary = bundledExecutablePath();
  if (!binary) throw new Error('the Agent SDK ships no Claude Code binary for this platform');
  const { stdout } = await run(binary, ['-p', prompt], {
    cwd: path.join(scratch, 'cwd'),
    timeout: 90_000,
    env: {
      PATH: process.env.PATH,
      HOME: path.join(scratch, 'home'),
      CLAUDE_CONFIG_DIR: path.join(scratch, 'config'),
      CLAUDE_CODE_TMPDIR: path.join(scratch, 'tmp'),
      ANTHROPIC_BASE_URL: recorder.url,
      ANTHROPIC_API_KEY: 'sk-test-client',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
      CLAUDE_CODE_MAX_RETRIES: '0',
    },
  });
  return stdout.trim();
}

const systemText = (request: RecordedRequest): string =>
  typeof request.body.system === 'string'
    ? request.body.system
    : (request.body.system ?? []).map((block) => block.text).join('\n');

describe('Claude Code CLI as a client of the gateway', () => {
  it('gets its answer; its prompt reaches the model without its billing line, its tools as client tools', async () => {
    h.mock.enqueue(text('Hi from behind the gateway.'));
    expect(await claudeAsClient('Say hi')).toBe('Hi from behind the gateway.');

    const request = h.mock.requests.at(-1);
    const sent = recorder.messages.at(-1);
    if (!request || !sent) throw new Error('the request did not go through');
    const system = systemText(request);
    // The client's own prompt arrived, its environment block (a trailing system message) included...
    expect(system).toContain(path.join(scratch, 'cwd'));
    // ...but not the billing line it starts with, whose value changes on every request.
    const clientBilling = systemText({ body: sent } as unknown as RecordedRequest).split('\n')[0] ?? '';
    expect(clientBilling).toMatch(/^x-anthropic-billing-header: /);
    expect(system).not.toContain(clientBilling);
    const tools = offeredTools(request);
    expect(tools).toEqual(expect.arrayContaining(['mcp__client__Bash', 'mcp__client__Read']));
    // The gateway's Claude Code offers none of its own tools: it must not run the client's.
    expect(tools.filter((name) => !name.startsWith('mcp__client__'))).toEqual([]);
  });

  it('runs its own tool on its side and sends the result back through the gateway', async () => {
    const notes = path.join(scratch, 'cwd', 'notes.txt');
    await writeFile(notes, 'The secret word is pelican.\n');
    h.mock.setHandler((request) => {
      const results = toolResults(request);
      if (results.length > 0) return text(`Read it: ${results.map((result) => result.text).join(' ')}`);
      return reply(clientCall('Read', { file_path: notes }));
    });
    const answer = await claudeAsClient('What does notes.txt say?');
    expect(answer).toContain('pelican');

    const withResult = h.mock.requests.find((request) => toolResults(request).length > 0);
    if (!withResult) throw new Error('no tool result reached the model');
    expect(toolResults(withResult)[0]?.text).toContain('The secret word is pelican.');
  });
});
