import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { json, postChat } from '../core/wire.js';
import { type Harness, startHarness } from '../helpers/gateway-harness.js';
import { startMockAnthropic } from '../mock-anthropic/server.js';
import { startServerProcess } from './server-process.js';

/** What the operator is told to set when Claude Code has no (or rejected) credentials. */
const CREDENTIAL_WAYS = [
  'ANTHROPIC_API_KEY',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'CLAUDE_CONFIG_DIR',
  'CLAUDE_CODE_USE_BEDROCK',
];

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** A port on 127.0.0.1 that nothing listens on: connecting to it is refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

const hello = (stream: boolean) => ({ model: 'sonnet', stream, messages: [{ role: 'user', content: 'hi' }] });

describe('Claude Code cannot reach the API', () => {
  // The gateway's default retry bound (CLAUDE_MAX_RETRIES=2) applies: the sandbox's 0 is removed.
  // Both answers must come well inside this test's timeout (Claude Code's own default waits minutes).
  it('answers 503 upstream_unavailable with Retry-After and a clean message', {
    timeout: 30_000,
  }, async () => {
    h = await startHarness({
      cliEnv: {
        ANTHROPIC_BASE_URL: `http://127.0.0.1:${await closedPort()}`,
        CLAUDE_CODE_MAX_RETRIES: undefined,
      },
    });
    for (const stream of [false, true]) {
      const response = await postChat(h.origin, hello(stream));
      expect(response.status).toBe(503);
      expect(response.headers.get('retry-after')).toBe('5');
      const { error } = await json(response);
      expect(error).toMatchObject({ type: 'service_unavailable', code: 'upstream_unavailable' });
      // Through the scrubbing relay the refusal reaches Claude Code as a dropped connection (the
      // relay logs the upstream's own error, ECONNREFUSED).
      expect(error.message).toMatch(/^Claude Code cannot reach the Claude API: .*(ECONNREFUSED|ECONNRESET)/);
      expect(error.message).not.toMatch(/\(success\)|API Error/);
    }
  });
});

describe('Claude Code has no credentials', () => {
  it('is warned about at start, naming what to set (an empty variable counts as unset)', async () => {
    const mock = await startMockAnthropic();
    const server = await startServerProcess(mock.url, { ANTHROPIC_API_KEY: '' }).catch(
      async (error: unknown) => {
        await mock.close();
        throw error;
      },
    );
    try {
      const warning = server.logs.find(
        (entry) => entry.level === 40 && /no credentials/.test(String(entry.msg)),
      );
      for (const name of CREDENTIAL_WAYS) expect(warning?.msg).toContain(name);
    } finally {
      await server.cleanup();
      await mock.close();
    }
  });

  it('reports it on /ready and answers requests with an error naming what to set', async () => {
    h = await startHarness({ cliEnv: { ANTHROPIC_API_KEY: undefined } });
    const ready = await fetch(`${h.origin}/ready`);
    expect(ready.status).toBe(503);
    const readyBody = await json(ready);
    expect(readyBody.checks).toEqual({
      claude_code: true,
      claude_credentials: false,
      store_writable: true,
      accepting_requests: true,
    });
    for (const name of CREDENTIAL_WAYS) expect(readyBody.message).toContain(name);

    const response = await postChat(h.origin, hello(false));
    expect(response.status).toBe(503);
    const { error } = await json(response);
    expect(error.code).toBe('claude_credentials_missing');
    expect(error.message).toMatch(/not logged in/i);
    for (const name of CREDENTIAL_WAYS) expect(error.message).toContain(name);
    // Claude Code knew before calling the API.
    expect(h.mock.requests).toHaveLength(0);
  });

  it('answers an API that says "not logged in" (401) with upstream_auth_failed naming what to set', async () => {
    h = await startHarness();
    expect((await fetch(`${h.origin}/ready`)).status).toBe(200);
    h.mock.enqueue({
      kind: 'error',
      status: 401,
      errorType: 'authentication_error',
      message: 'not logged in',
    });
    const response = await postChat(h.origin, hello(false));
    const { error } = await json(response);
    expect(response.status).toBe(502);
    expect(error.code).toBe('upstream_auth_failed');
    for (const name of CREDENTIAL_WAYS) expect(error.message).toContain(name);
    expect(h.mock.requests).toHaveLength(1);
    expect(h.mock.requests[0]?.headers['x-api-key']).toBe('sk-ant-mock');
  });
});
