import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SDKMessage, SDKRateLimitEvent, SDKResultMessage } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import type { AccountState } from '../../contract/accounts.js';
import { type AccountObservation, accountSignalReader } from './account-signals.js';
import { nextAccountState } from './account-state.js';

/** A recorded Claude Code run (scripts/record-account-fixtures.ts), one SDK message per line. */
function fixture(name: string): SDKMessage[] {
  const file = path.join(import.meta.dirname, '..', 'fixtures', `${name}.jsonl`);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as SDKMessage);
}

function observe(messages: SDKMessage[]): AccountObservation[] {
  const reader = accountSignalReader();
  return messages.flatMap((message) => reader.read(message) ?? []);
}

function rateLimitInfo(name: string) {
  const event = fixture(name).find((m): m is SDKRateLimitEvent => m.type === 'rate_limit_event');
  if (!event) throw new Error(`${name} has no rate_limit_event`);
  return event.rate_limit_info;
}

const succeeded: AccountObservation = { signal: { kind: 'succeeded' }, moveOn: false };

describe('accountSignalReader on recorded runs', () => {
  it('reads the usage a subscription reports under its limit, from its window', () => {
    const resetsAt = (rateLimitInfo('account-oauth-allowed').resetsAt ?? 0) * 1_000;
    expect(observe(fixture('account-oauth-allowed'))).toEqual([
      { signal: { kind: 'usage', utilization: 0.1, resetsAt }, moveOn: false },
      succeeded,
    ]);
    expect(observe(fixture('account-oauth-warning'))[0]).toMatchObject({
      signal: { kind: 'usage', utilization: 1 },
      moveOn: false,
    });
  });

  it('moves a spent subscription on at its rate_limit_event, with the reset it announced', () => {
    const resetsAt = (rateLimitInfo('account-oauth-rejected').resetsAt ?? 0) * 1_000;
    const observations = observe(fixture('account-oauth-rejected'));
    expect(observations).toEqual([
      { signal: { kind: 'rate-limited', resetsAt, utilization: 1 }, moveOn: true },
      // The assistant error after it; the result repeats it and is not counted again.
      { signal: { kind: 'rate-limited' }, moveOn: true },
    ]);
    // Together they leave the account limited until the announced reset, not a guess.
    const now = resetsAt - 3_600_000;
    let state: AccountState | undefined;
    for (const { signal } of observations) state = nextAccountState(state, signal, { now, fingerprint: 'f' });
    expect(state).toMatchObject({ status: 'limited', resetsAt, utilization: 1 });
  });

  it('moves an API key on at the first rate-limit retry, instead of sitting out retry-after', () => {
    const [first] = observe(fixture('account-key-429-retry'));
    expect(first).toEqual({
      signal: { kind: 'rate-limited', retryAfterMs: expect.any(Number) },
      moveOn: true,
    });
    const signal = first?.signal;
    expect(signal?.kind === 'rate-limited' && signal.retryAfterMs).toBeGreaterThanOrEqual(1_000);
  });

  it('reads refused credentials, API key or OAuth token, as unauthorized at the first retry', () => {
    for (const name of ['account-key-401', 'account-oauth-401', 'api-error-401']) {
      const observations = observe(fixture(name));
      expect(observations.length).toBeGreaterThan(0);
      expect(observations.every((o) => o.moveOn && o.signal.kind === 'unauthorized')).toBe(true);
      expect(observations[0]?.signal).toEqual({ kind: 'unauthorized', code: 'authentication_failed' });
    }
  });

  it('reads an exhausted credit balance as billing', () => {
    expect(observe(fixture('account-key-credit'))).toEqual([
      { signal: { kind: 'billing', code: 'billing_error' }, moveOn: true },
    ]);
  });

  it('counts overloaded retries without moving, and moves a run that failed on them', () => {
    expect(observe(fixture('account-overloaded-retry'))).toEqual([
      { signal: { kind: 'unavailable', code: 'overloaded' }, moveOn: false },
      { signal: { kind: 'unavailable', code: 'overloaded' }, moveOn: false },
      succeeded,
    ]);
    expect(observe(fixture('api-error-529'))).toEqual([
      { signal: { kind: 'unavailable', code: 'server_error' }, moveOn: true },
    ]);
  });

  it('says only that a plain run succeeded', () => {
    expect(observe(fixture('text-stream'))).toEqual([succeeded]);
  });
});

describe('accountSignalReader on results alone', () => {
  const failedResult = (apiErrorStatus: number | null, text: string) =>
    ({
      ...fixture('account-key-429-retry').find((m): m is SDKResultMessage => m.type === 'result'),
      api_error_status: apiErrorStatus,
      result: text,
    }) as SDKMessage;

  it('reads the status of a failed result that came without an assistant error', () => {
    const read = (message: SDKMessage) => accountSignalReader().read(message);
    expect(read(failedResult(429, 'API Error: 429'))?.signal).toEqual({ kind: 'rate-limited' });
    expect(read(failedResult(403, 'API Error: 403'))?.signal.kind).toBe('unauthorized');
    expect(read(failedResult(503, 'API Error: 503'))).toEqual({
      signal: { kind: 'unavailable', code: 'server_error' },
      moveOn: true,
    });
    expect(read(failedResult(400, 'API Error: 400 prompt is too long'))).toBeUndefined();
    expect(read(failedResult(null, 'Not logged in · Please run /login'))?.signal).toEqual({
      kind: 'unauthorized',
      code: 'not_logged_in',
    });
    expect(read(failedResult(null, 'API Error: Connection refused (ECONNREFUSED)'))?.signal).toEqual({
      kind: 'unavailable',
      code: 'connection',
    });
  });

  it('reads a connection failure retry as unavailable, and a rejection paid from extra usage as usage', () => {
    const reader = accountSignalReader();
    const retry = {
      type: 'system',
      subtype: 'api_retry',
      attempt: 1,
      max_retries: 2,
      retry_delay_ms: 500,
      error_status: null,
      error: 'unknown',
    } as unknown as SDKMessage;
    expect(reader.read(retry)).toEqual({
      signal: { kind: 'unavailable', code: 'connection' },
      moveOn: false,
    });
    const overage = {
      type: 'rate_limit_event',
      rate_limit_info: { status: 'rejected', resetsAt: 100, isUsingOverage: true, utilization: 1 },
    } as unknown as SDKMessage;
    expect(reader.read(overage)).toEqual({
      signal: { kind: 'usage', utilization: 1, resetsAt: 100_000 },
      moveOn: false,
    });
  });
});
