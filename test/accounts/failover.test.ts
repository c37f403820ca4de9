/**
 * Pooled accounts against the mock Messages API with the real Claude Code CLI: a spent or refused
 * account is moved off before the client sees anything, and avoided until its reset.
 */
import { describe, expect, it } from 'vitest';
import { apiKeyAccount, writeAccountsFile } from '../helpers/accounts-file.js';
import { useHarness } from '../helpers/gateway-harness.js';
import { text } from '../mock-anthropic/server.js';

const KEY_A = 'sk-ant-api03-account-a';
const KEY_B = 'sk-ant-api03-account-b';

describe('failover between pooled accounts', () => {
  const h = useHarness({
    config: {
      ACCOUNTS_FILE: writeAccountsFile([
        apiKeyAccount('team-a', KEY_A, { priority: 1 }),
        apiKeyAccount('team-b', KEY_B, { priority: 2 }),
      ]),
    },
    // Claude Code may retry (the gateway's default of 2): the first retry is what moves the run on.
    cliEnv: { CLAUDE_CODE_MAX_RETRIES: undefined },
  });

  it("moves on at an API key's first rate-limit retry instead of waiting out retry-after", async () => {
    h.mock.scriptCredential(KEY_A, { quota: 0, retryAfterSeconds: 30, unifiedHeaders: false });
    h.mock.enqueue(text('Answered by B.'));
    const started = Date.now();

    const completion = await h.openai.chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'hi' }],
    });

    expect(completion.choices[0]?.message.content).toBe('Answered by B.');
    // Far below the 30 s Claude Code would have waited before its next attempt.
    expect(Date.now() - started).toBeLessThan(25_000);
    expect(h.mock.requests.map((r) => r.credential)).toEqual([KEY_A, KEY_B]);
  });
});
