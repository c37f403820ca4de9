/**
 * Every pooled account spent: the first run finds it out (each account's 429, no answer), and from
 * then on every surface refuses at admission, before any byte of a stream and without starting
 * Claude Code, with its own 429 shape and `Retry-After` (seconds to the first reset). An operator's
 * clear makes an account usable again at once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { subscriptionAccount, writeAccountsFile } from '../helpers/accounts-file.js';
import { useHarness } from '../helpers/gateway-harness.js';
import { text } from '../mock-anthropic/server.js';
import { bearer, chatBody, postJson } from '../security/http.js';

const TOKEN_A = 'sk-ant-oat01-exhausted-account-a';
const TOKEN_B = 'sk-ant-oat01-exhausted-account-b';
const OWNER = 'sk-owner-exhaustion-test';
const ADMIN = 'sk-admin-exhaustion-test';
const WINDOW_SECONDS = 3_600;

const workspace = mkdtempSync(path.join(tmpdir(), 'accounts-exhausted-'));
afterAll(() => rmSync(workspace, { recursive: true, force: true }));

const h = useHarness({
  config: {
    ACCOUNTS_FILE: writeAccountsFile([
      subscriptionAccount('team-a', TOKEN_A, { priority: 1 }),
      subscriptionAccount('team-b', TOKEN_B, { priority: 2 }),
    ]),
    GATEWAY_API_KEYS: OWNER,
    GATEWAY_ADMIN_KEY: ADMIN,
    AGENT_MODE: 'true',
    AGENT_ALLOWED_ROOTS: workspace,
    AGENT_ALLOWED_TOOLS: 'Read',
  },
  // The scripts of spent accounts must outlive one test: the states the gateway learnt depend on them.
  resetMockBeforeEach: false,
});

const auth = bearer(OWNER);
const native = { 'x-api-key': OWNER };
const messagesBody = { model: 'sonnet', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] };

/** A refusal before any byte: a whole JSON body (no stream started), 429, and the wait until the first reset. */
async function refusedBeforeAnyByte(response: Response): Promise<Record<string, unknown>> {
  expect(response.status).toBe(429);
  expect(response.headers.get('content-type')).toMatch(/^application\/json/);
  const retryAfter = Number(response.headers.get('retry-after'));
  expect(retryAfter).toBeGreaterThan(WINDOW_SECONDS - 120);
  // The reset is a whole second (the rate-limit headers carry epoch seconds) and Retry-After rounds
  // up, so it may read one second past the window.
  expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS + 1);
  return (await response.json()) as Record<string, unknown>;
}

describe('every pooled account spent', () => {
  it('the run that finds both accounts spent gets the 429 itself, with no answer', async () => {
    h.mock.reset();
    h.mock.scriptCredential(TOKEN_A, { quota: 0, windowSeconds: WINDOW_SECONDS });
    h.mock.scriptCredential(TOKEN_B, { quota: 0, windowSeconds: WINDOW_SECONDS });

    const response = await postJson(h.origin, '/v1/chat/completions', chatBody('hi', { stream: true }), auth);

    expect(await refusedBeforeAnyByte(response)).toMatchObject({
      error: { type: 'rate_limit_error', code: 'accounts_exhausted' },
    });
    // Each account was asked once: a spent subscription is moved off at once, not retried.
    expect(h.mock.requests.map((r) => r.credential)).toEqual([TOKEN_A, TOKEN_B]);
  });

  it('then refuses every surface at admission in its own shape, starting no Claude Code', async () => {
    const asked = h.mock.requests.length;

    const chat = await postJson(h.origin, '/v1/chat/completions', chatBody('hi', { stream: true }), auth);
    expect(await refusedBeforeAnyByte(chat)).toMatchObject({
      error: { type: 'rate_limit_error', code: 'accounts_exhausted', param: null },
    });

    const responses = await postJson(
      h.origin,
      '/v1/responses',
      { model: 'sonnet', input: 'hi', stream: true },
      auth,
    );
    expect(await refusedBeforeAnyByte(responses)).toMatchObject({
      error: { type: 'rate_limit_error', code: 'accounts_exhausted' },
    });

    const completions = await postJson(
      h.origin,
      '/v1/completions',
      { model: 'sonnet', prompt: 'hi', stream: true },
      auth,
    );
    expect(await refusedBeforeAnyByte(completions)).toMatchObject({
      error: { type: 'rate_limit_error', code: 'accounts_exhausted' },
    });

    const messages = await postJson(h.origin, '/v1/messages', { ...messagesBody, stream: true }, auth);
    expect(await refusedBeforeAnyByte(messages)).toMatchObject({
      type: 'error',
      error: { type: 'rate_limit_error' },
    });

    const created = await postJson(h.origin, '/api/v1/sessions', {}, native);
    expect(created.status).toBe(201);
    const { sessionId } = (await created.json()) as { sessionId: string };
    const turn = await postJson(
      h.origin,
      `/api/v1/sessions/${sessionId}/messages`,
      { prompt: 'hi', stream: true },
      native,
    );
    expect(await refusedBeforeAnyByte(turn)).toMatchObject({
      error: { code: 'RATE_LIMIT_EXCEEDED', details: { reason: 'accounts_exhausted' } },
    });

    const task = await postJson(
      h.origin,
      '/api/v1/tasks',
      { prompt: 'Say hi.', cwd: workspace, tools: ['Read'] },
      auth,
    );
    expect(await refusedBeforeAnyByte(task)).toMatchObject({ error: { code: 'accounts_exhausted' } });

    expect(h.mock.requests).toHaveLength(asked);
  });

  it("an operator's clear makes an account usable again at once", async () => {
    h.mock.scriptCredential(TOKEN_A, {});
    h.mock.enqueue(text('Back on A.'));
    const cleared = await postJson(h.origin, '/api/v1/accounts/team-a/clear', {}, { 'x-api-key': ADMIN });
    expect(cleared.status).toBe(200);

    const completion = await postJson(h.origin, '/v1/chat/completions', chatBody('hi'), auth);

    expect(completion.status).toBe(200);
    expect(await completion.json()).toMatchObject({ choices: [{ message: { content: 'Back on A.' } }] });
    expect(h.mock.requests.at(-1)?.credential).toBe(TOKEN_A);
  });
});
