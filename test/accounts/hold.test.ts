/**
 * ACCOUNTS_HOLD_MS: a request that finds every account spent, with the first reset within the hold,
 * waits for it instead of getting a 429: its stream starts at once, and the run goes to Claude Code
 * only once the account is back. (Real CLI against the mock Messages API.)
 */
import { describe, expect, it } from 'vitest';
import { subscriptionAccount, writeAccountsFile } from '../helpers/accounts-file.js';
import { useHarness } from '../helpers/gateway-harness.js';
import { readSse } from '../helpers/sse-events.js';
import { text } from '../mock-anthropic/server.js';
import { chatBody, postJson } from '../security/http.js';

const TOKEN = 'sk-ant-oat01-held-account';
// The window opens at the spent request itself: the held run waits about this long.
const WINDOW_SECONDS = 6;

describe('a request held for the first reset', () => {
  const h = useHarness({
    config: {
      ACCOUNTS_FILE: writeAccountsFile([subscriptionAccount('solo', TOKEN)]),
      ACCOUNTS_HOLD_MS: '60000',
    },
  });

  it('starts its stream at once and runs when the account is back', async () => {
    h.mock.scriptCredential(TOKEN, { quota: 0, windowSeconds: WINDOW_SECONDS });
    // The run that finds the only account spent has nowhere to go: its own 429.
    const spent = await postJson(h.origin, '/v1/chat/completions', chatBody('first'));
    expect(spent.status).toBe(429);
    const retryAfter = Number(spent.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    // The announced reset is in whole epoch seconds, and Retry-After rounds up.
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS + 1);
    const resetsAt = Date.now() + retryAfter * 1_000;
    // The account would answer now, but the gateway knows it spent until its reset.
    h.mock.scriptCredential(TOKEN, {});
    h.mock.enqueue(text('After the reset.'));
    const asked = h.mock.requests.length;

    const held = await postJson(h.origin, '/v1/chat/completions', chatBody('second', { stream: true }));

    expect(held.status).toBe(200);
    expect(held.headers.get('content-type')).toMatch(/^text\/event-stream/);
    // The response began well before the reset, and nothing reached Claude Code's API yet.
    expect(Date.now()).toBeLessThan(resetsAt - 500);
    expect(h.mock.requests).toHaveLength(asked);
    const { events } = await readSse(held);
    const answer = events
      .map(
        (event) =>
          (event.data as { choices?: Array<{ delta?: { content?: string } }> }).choices?.[0]?.delta
            ?.content ?? '',
      )
      .join('');
    expect(answer).toBe('After the reset.');
    expect(h.mock.requests).toHaveLength(asked + 1);
    // Retry-After is rounded up to whole seconds: the run started no earlier than a second before it.
    expect(h.mock.requests.at(-1)?.receivedAt).toBeGreaterThanOrEqual(resetsAt - 1_000);
  });
});
