/**
 * Where runs go in a pool of accounts, against the mock Messages API with the real Claude Code CLI
 * (the mock tells the accounts apart by the credential each request carries): a spent account is
 * avoided until its reset, a refused one until an operator acts; round-robin spreads new
 * conversations while each conversation's turns stay on its account; a key limited to some accounts
 * runs only on those, and one whose accounts are not in the pool is refused.
 */
import { describe, expect, it } from 'vitest';
import { apiKeyAccount, subscriptionAccount, writeAccountsFile } from '../helpers/accounts-file.js';
import { useHarness } from '../helpers/gateway-harness.js';
import { bearer, chatBody, postJson } from '../security/http.js';

const TOKEN_A = 'sk-ant-oat01-routing-account-a';
const TOKEN_B = 'sk-ant-oat01-routing-account-b';
const KEY_A = 'sk-ant-api03-routing-account-a';
const KEY_B = 'sk-ant-api03-routing-account-b';
const OWNER = 'sk-owner-routing-test';
const ADMIN = 'sk-admin-routing-test';

interface AccountView {
  name: string;
  status: string;
  resetsAt: string | null;
  lastErrorCode: string | null;
}

async function accountViews(origin: string): Promise<Map<string, AccountView>> {
  const response = await fetch(`${origin}/api/v1/accounts`, { headers: { 'x-api-key': ADMIN } });
  expect(response.status).toBe(200);
  const { data } = (await response.json()) as { data: AccountView[] };
  return new Map(data.map((account) => [account.name, account]));
}

async function chat(origin: string, key = OWNER): Promise<Response> {
  return postJson(origin, '/v1/chat/completions', chatBody('hi'), bearer(key));
}

const closed = { GATEWAY_API_KEYS: OWNER, GATEWAY_ADMIN_KEY: ADMIN };

describe('a spent account', () => {
  const h = useHarness({
    config: {
      ...closed,
      ACCOUNTS_FILE: writeAccountsFile([
        subscriptionAccount('team-a', TOKEN_A, { priority: 1 }),
        subscriptionAccount('team-b', TOKEN_B, { priority: 2 }),
      ]),
    },
  });

  it('is avoided until its reset, then first again', async () => {
    // A window short enough to wait out, long enough for two runs on a loaded machine: the mock
    // announces its reset, Claude Code reports it.
    h.mock.scriptCredential(TOKEN_A, { quota: 0, windowSeconds: 15 });

    expect((await chat(h.origin)).status).toBe(200);
    expect(h.mock.requests.map((r) => r.credential)).toEqual([TOKEN_A, TOKEN_B]);
    const limited = (await accountViews(h.origin)).get('team-a');
    expect(limited).toMatchObject({ status: 'limited', lastErrorCode: 'rate_limit' });
    const resetsAt = Date.parse(limited?.resetsAt ?? '');
    expect(resetsAt).toBeGreaterThan(Date.now());

    expect((await chat(h.origin)).status).toBe(200);
    expect(h.mock.requests.map((r) => r.credential)).toEqual([TOKEN_A, TOKEN_B, TOKEN_B]);

    await new Promise((resolve) => setTimeout(resolve, resetsAt - Date.now() + 50));
    h.mock.scriptCredential(TOKEN_A, {});
    expect((await accountViews(h.origin)).get('team-a')).toMatchObject({ status: 'usable' });
    expect((await chat(h.origin)).status).toBe(200);
    expect(h.mock.requests.at(-1)?.credential).toBe(TOKEN_A);
  });
});

describe('an account whose credentials are refused', () => {
  const h = useHarness({
    config: {
      ...closed,
      ACCOUNTS_FILE: writeAccountsFile([
        apiKeyAccount('team-a', KEY_A, { priority: 1 }),
        apiKeyAccount('team-b', KEY_B, { priority: 2 }),
      ]),
    },
    // Claude Code retries a 401 (the gateway's default of 2 retries): its first retry moves the run.
    cliEnv: { CLAUDE_CODE_MAX_RETRIES: undefined },
  });

  it('is marked unauthorized and skipped from then on, without a reset to wait for', async () => {
    h.mock.scriptCredential(KEY_A, { unauthorized: true });

    const first = await chat(h.origin);
    expect(first.status).toBe(200);
    expect(new Set(h.mock.requests.map((r) => r.credential))).toEqual(new Set([KEY_A, KEY_B]));
    expect(h.mock.requests.at(-1)?.credential).toBe(KEY_B);
    expect((await accountViews(h.origin)).get('team-a')).toMatchObject({
      status: 'unauthorized',
      resetsAt: null,
      lastErrorCode: 'authentication_failed',
    });

    const asked = h.mock.requests.length;
    expect((await chat(h.origin)).status).toBe(200);
    expect(h.mock.requests.slice(asked).map((r) => r.credential)).toEqual([KEY_B]);
  });
});

describe('round-robin', () => {
  const h = useHarness({
    config: {
      ...closed,
      ACCOUNTS_FILE: writeAccountsFile(
        [subscriptionAccount('team-a', TOKEN_A), subscriptionAccount('team-b', TOKEN_B)],
        'round-robin',
      ),
    },
  });

  async function respond(input: string, previousResponseId?: string): Promise<string> {
    const response = await postJson(
      h.origin,
      '/v1/responses',
      { model: 'sonnet', input, ...(previousResponseId ? { previous_response_id: previousResponseId } : {}) },
      bearer(OWNER),
    );
    expect(response.status).toBe(200);
    return ((await response.json()) as { id: string }).id;
  }

  const lastCredential = () => h.mock.requests.at(-1)?.credential;

  it("spreads new conversations over the accounts and keeps each conversation's turns on its own", async () => {
    const conversations: string[] = [];
    const placed: Array<string | undefined> = [];
    for (const input of ['one', 'two', 'three', 'four']) {
      conversations.push(await respond(input));
      placed.push(lastCredential());
    }
    expect(placed).toEqual([TOKEN_A, TOKEN_B, TOKEN_A, TOKEN_B]);

    // The next new conversation would go to A; continued turns stay where their conversation began.
    await respond('two, again', conversations[1]);
    expect(lastCredential()).toBe(TOKEN_B);
    // The turn ran in the conversation: Claude Code resumed its transcript under B.
    expect(JSON.stringify(h.mock.requests.at(-1)?.body.messages)).toContain('two');
    await respond('four, again', conversations[3]);
    expect(lastCredential()).toBe(TOKEN_B);
    await respond('one, again', conversations[0]);
    expect(lastCredential()).toBe(TOKEN_A);

    await respond('five');
    expect(lastCredential()).toBe(TOKEN_A);
  });

  it("runs a key limited to some accounts only on those, and refuses one whose accounts aren't here", async () => {
    const { key: teamB } = await h.gateway.store.keys.create({
      name: 'team-b-only',
      policy: { accounts: ['team-b'] },
    });
    for (const input of ['one', 'two', 'three']) {
      expect((await chat(h.origin, teamB)).status, input).toBe(200);
    }
    expect(h.mock.requests.map((r) => r.credential)).toEqual([TOKEN_B, TOKEN_B, TOKEN_B]);

    const { key: elsewhere } = await h.gateway.store.keys.create({
      name: 'elsewhere',
      policy: { accounts: ['another-gateways-account'] },
    });
    const refused = await chat(h.origin, elsewhere);
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({
      error: { type: 'permission_error', code: 'account_not_allowed' },
    });
    const messages = await postJson(
      h.origin,
      '/v1/messages',
      { model: 'sonnet', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] },
      { 'x-api-key': elsewhere },
    );
    expect(messages.status).toBe(403);
    expect(await messages.json()).toMatchObject({ type: 'error', error: { type: 'permission_error' } });
    expect(h.mock.requests).toHaveLength(3);
  });
});
