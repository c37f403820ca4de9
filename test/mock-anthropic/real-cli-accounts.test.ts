/**
 * What the real Claude Code CLI reports about the account it runs under, against the mock's
 * per-credential scripts: an OAuth token (a subscription) or an API key, under quota, spent, or
 * refused. Pooled accounts are routed on exactly these messages, so a CLI upgrade that changes
 * them fails here first. Observed with CLI 2.1.330; docs/accounts.md describes the shapes.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  query,
  type SDKAPIRetryMessage,
  type SDKAssistantMessage,
  type SDKMessage,
  type SDKRateLimitEvent,
  type SDKResultMessage,
} from '@anthropic-ai/claude-agent-sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { mockCliOptions } from '../helpers/cli-options.js';
import { type MockAnthropic, startMockAnthropic, text } from './server.js';

const API_KEY = 'sk-ant-api03-test-key';
/** The mock's quota clock, stopped on a whole second so the reset it announces is known. */
const CLOCK_MS = Math.floor(Date.now() / 1000) * 1000;
const WINDOW_SECONDS = 3_600;
const OAUTH_TOKEN = 'sk-ant-oat01-test-token';

interface AccountRun {
  messages: SDKMessage[];
  result: SDKResultMessage;
}

async function runAs(
  mock: MockAnthropic,
  credential: 'api-key' | 'oauth',
  maxRetries = 0,
): Promise<AccountRun> {
  const scratch = await mkdtemp(join(tmpdir(), 'mock-anthropic-accounts-'));
  const sandbox = {
    mockUrl: mock.url,
    home: join(scratch, 'home'),
    configDir: join(scratch, 'config'),
    cwd: join(scratch, 'cwd'),
    apiKey: API_KEY,
  };
  await Promise.all([sandbox.home, sandbox.cwd, sandbox.configDir].map((dir) => mkdir(dir)));
  const env: Record<string, string | undefined> = { CLAUDE_CODE_MAX_RETRIES: String(maxRetries) };
  if (credential === 'oauth') {
    env.CLAUDE_CODE_OAUTH_TOKEN = OAUTH_TOKEN;
    env.ANTHROPIC_API_KEY = undefined;
  }
  const messages: SDKMessage[] = [];
  try {
    for await (const message of query({ prompt: 'hello', options: mockCliOptions(sandbox, { env }) })) {
      messages.push(message);
    }
  } catch {
    // An error result is followed by a thrown error; the result is what these tests read.
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const result = messages.find((m): m is SDKResultMessage => m.type === 'result');
  if (result === undefined) throw new Error('the CLI produced no result');
  return { messages, result };
}

const rateLimitEvents = (messages: SDKMessage[]) =>
  messages.filter((m): m is SDKRateLimitEvent => m.type === 'rate_limit_event');
const retries = (messages: SDKMessage[]) =>
  messages.filter((m): m is SDKAPIRetryMessage => m.type === 'system' && m.subtype === 'api_retry');
const errorAssistant = (messages: SDKMessage[]) =>
  messages.find((m): m is SDKAssistantMessage => m.type === 'assistant' && m.error !== undefined);
const typesInOrder = (messages: SDKMessage[]) =>
  messages.filter((m) => m.type !== 'stream_event' && m.type !== 'system').map((m) => m.type);

describe('what Claude Code reports about its account', () => {
  let mock: MockAnthropic;

  beforeAll(async () => {
    mock = await startMockAnthropic({ clock: () => CLOCK_MS });
  });

  afterAll(async () => {
    await mock.close();
  });

  beforeEach(() => {
    mock.reset();
  });

  it('takes an OAuth token against ANTHROPIC_BASE_URL and reports the subscription window it read', async () => {
    mock.scriptCredential(OAUTH_TOKEN, { quota: 10, windowSeconds: WINDOW_SECONDS });
    mock.enqueue(text('Fine.'));

    const { messages, result } = await runAs(mock, 'oauth');

    expect(result).toMatchObject({ is_error: false, result: 'Fine.' });
    expect(mock.requests.map((r) => [r.authScheme, r.credential])).toEqual([['bearer', OAUTH_TOKEN]]);
    // No profile, usage or token endpoint is asked (non-essential traffic is off).
    expect(mock.otherRequests).toEqual([]);
    const [event] = rateLimitEvents(messages);
    // Utilisation sits in the window, not at the top level, while the status is plain `allowed`.
    expect(event?.rate_limit_info).toEqual({
      status: 'allowed',
      resetsAt: CLOCK_MS / 1000 + WINDOW_SECONDS,
      rateLimitType: 'five_hour',
      isUsingOverage: false,
      unifiedWindows: {
        five_hour: { utilization: 0.1, resetsAt: CLOCK_MS / 1000 + WINDOW_SECONDS, status: 'allowed' },
      },
    });
    expect(typesInOrder(messages)).toEqual(['assistant', 'rate_limit_event', 'result']);
  });

  it('sends no rate_limit_event for an API key, whatever headers the API sends', async () => {
    mock.scriptCredential(API_KEY, { quota: 10 });
    const { messages, result } = await runAs(mock, 'api-key');
    expect(result.is_error).toBe(false);
    expect(mock.requests[0]?.authScheme).toBe('x-api-key');
    expect(rateLimitEvents(messages)).toEqual([]);
  });

  it('gives up on a spent subscription at once: rejected with resetsAt, no retry', async () => {
    mock.scriptCredential(OAUTH_TOKEN, { quota: 0, windowSeconds: WINDOW_SECONDS });

    const { messages, result } = await runAs(mock, 'oauth', 2);

    expect(mock.requests).toHaveLength(1);
    expect(retries(messages)).toEqual([]);
    expect(rateLimitEvents(messages).map((e) => e.rate_limit_info)).toEqual([
      expect.objectContaining({
        status: 'rejected',
        resetsAt: CLOCK_MS / 1000 + WINDOW_SECONDS,
        rateLimitType: 'five_hour',
      }),
    ]);
    expect(errorAssistant(messages)).toMatchObject({ error: 'rate_limit', api_error_status: 429 });
    expect(result).toMatchObject({ is_error: true, api_error_status: 429, subtype: 'success' });
    expect(typesInOrder(messages)).toEqual(['rate_limit_event', 'assistant', 'result']);
  });

  it('retries an API key 429 after retry-after, announcing each attempt in api_retry', async () => {
    mock.scriptCredential(API_KEY, { quota: 0, retryAfterSeconds: 1, unifiedHeaders: false });

    const { messages, result } = await runAs(mock, 'api-key', 1);

    expect(retries(messages)).toEqual([
      expect.objectContaining({
        attempt: 1,
        max_retries: 1,
        error_status: 429,
        error: 'rate_limit',
        retry_delay_ms: expect.any(Number),
      }),
    ]);
    expect(retries(messages)[0]?.retry_delay_ms).toBeGreaterThanOrEqual(1_000);
    expect(mock.requests).toHaveLength(2);
    expect(rateLimitEvents(messages)).toEqual([]);
    expect(result).toMatchObject({ is_error: true, api_error_status: 429 });
  });

  it('reports a refused API key as authentication_failed, after a retry', async () => {
    mock.scriptCredential(API_KEY, { unauthorized: true });

    const { messages, result } = await runAs(mock, 'api-key', 1);

    expect(retries(messages).map((r) => [r.error, r.error_status])).toEqual([['authentication_failed', 401]]);
    expect(errorAssistant(messages)).toMatchObject({ error: 'authentication_failed', api_error_status: 401 });
    expect(result).toMatchObject({ is_error: true, api_error_status: 401 });
  });

  it('reports an exhausted credit balance as billing_error on a 400', async () => {
    mock.enqueue({
      kind: 'error',
      status: 400,
      errorType: 'invalid_request_error',
      message: 'Your credit balance is too low to access the Anthropic API.',
    });

    const { messages, result } = await runAs(mock, 'api-key');

    expect(errorAssistant(messages)).toMatchObject({ error: 'billing_error', api_error_status: 400 });
    expect(result).toMatchObject({
      is_error: true,
      api_error_status: 400,
      result: 'Credit balance is too low',
    });
  });
});
