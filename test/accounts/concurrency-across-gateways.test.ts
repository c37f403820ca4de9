/**
 * An account's maxConcurrency counts the runs of every gateway sharing one PostgreSQL database: while
 * one gateway streams on the account, the other sends its new conversation to the next account, and
 * a key that may use only the busy account waits for it (then 503 accounts_busy at the queue
 * timeout). Two gateways in this process, on one database, with the real CLI against one mock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscriptionAccount, writeAccountsFile } from '../helpers/accounts-file.js';
import { type Harness, startHarness } from '../helpers/gateway-harness.js';
import {
  type PostgresCluster,
  postgresTestsEnabled,
  startPostgresCluster,
} from '../helpers/postgres-cluster.js';
import { readSse } from '../helpers/sse-events.js';
import { type MockAnthropic, startMockAnthropic, text } from '../mock-anthropic/server.js';
import { bearer, chatBody, postJson } from '../security/http.js';

const TOKEN_A = 'sk-ant-oat01-shared-account-a';
const TOKEN_B = 'sk-ant-oat01-shared-account-b';
const OWNER = 'sk-owner-accounts-across-gateways';
const QUEUE_TIMEOUT_MS = 1_500;

describe.skipIf(!postgresTestsEnabled())('account concurrency across two gateways on PostgreSQL', () => {
  let cluster: PostgresCluster | undefined;
  let mock: MockAnthropic | undefined;
  let first: Harness | undefined;
  let second: Harness | undefined;

  beforeAll(async () => {
    cluster = await startPostgresCluster();
    const databaseUrl = await cluster.createDatabase();
    mock = await startMockAnthropic();
    const accountsFile = writeAccountsFile([
      subscriptionAccount('team-a', TOKEN_A, { priority: 1, maxConcurrency: 1 }),
      subscriptionAccount('team-b', TOKEN_B, { priority: 2 }),
    ]);
    const config = (instance: string) => ({
      DATABASE_URL: databaseUrl,
      INSTANCE_ID: instance,
      ACCOUNTS_FILE: accountsFile,
      GATEWAY_API_KEYS: OWNER,
      QUEUE_TIMEOUT_MS: String(QUEUE_TIMEOUT_MS),
    });
    first = await startHarness({ mock, config: config('gw-1') });
    second = await startHarness({ mock, config: config('gw-2') });
  });

  afterAll(async () => {
    await first?.close();
    await second?.close();
    await mock?.close();
    await cluster?.stop();
  });

  it("sends a new conversation past an account another gateway's run fills, and waits for it when it must", async () => {
    if (!first || !second || !mock) throw new Error('not started');
    const chat = (on: Harness, body: unknown, key = OWNER) =>
      postJson(on.origin, '/v1/chat/completions', body, bearer(key));
    mock.enqueue(
      text('one two three four five six seven eight nine ten eleven twelve', { chunkDelayMs: 800 }),
    );

    const stream = await chat(first, chatBody('slow', { stream: true }));
    expect(stream.status).toBe(200);
    expect(mock.requests.map((r) => r.credential)).toEqual([TOKEN_A]);

    // team-a runs its one run (on the first gateway): the second gateway uses team-b.
    expect((await chat(second, chatBody('meanwhile'))).status).toBe(200);
    expect(mock.requests.map((r) => r.credential)).toEqual([TOKEN_A, TOKEN_B]);

    // A key that may use only team-a waits for its slot, up to the queue timeout.
    const { key: teamA } = await second.gateway.store.keys.create({
      name: 'team-a-only',
      policy: { accounts: ['team-a'] },
    });
    const busy = await chat(second, chatBody('must wait'), teamA);
    expect(busy.status).toBe(503);
    expect(await busy.json()).toMatchObject({ error: { code: 'accounts_busy' } });

    expect((await readSse(stream)).done).toBe(true);
    // The stream's run gave its slot back: the same key runs on team-a from the other gateway.
    expect((await chat(second, chatBody('after'), teamA)).status).toBe(200);
    expect(mock.requests.at(-1)?.credential).toBe(TOKEN_A);
  });
});
