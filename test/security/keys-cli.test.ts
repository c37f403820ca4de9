import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openGatewayStore } from '../../src/store/gateway-store.js';
import { createKeyWithCli, runGatewayCli } from '../helpers/gateway-cli.js';
import { type Harness, startHarness } from '../helpers/gateway-harness.js';
import { bearer, chatBody, postJson, readError } from './http.js';

let dataDir: string;
let h: Harness | undefined;

/** Runs the real `claude-gateway` entry point as a child process against the temp data dir. */
const cliEnv = () => ({ HOME: dataDir, DATA_DIR: dataDir });
const cli = (...args: string[]) => runGatewayCli(cliEnv(), ...args);

/** The gateway on the CLI's store: the one the first test started, or a new one. */
async function running(): Promise<Harness> {
  h ??= await startHarness({ config: { STORE_PATH: path.join(dataDir, 'gateway.db') } });
  return h;
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(tmpdir(), 'claude-gateway-cli-'));
});
afterAll(async () => {
  await h?.close();
  await rm(dataDir, { recursive: true, force: true });
});

describe('claude-gateway keys', () => {
  it('creates, lists, serves, revokes and reports a key end to end', async () => {
    const created = await cli(
      'keys',
      'create',
      '--name',
      'ci-bot',
      '--rpm',
      '30',
      '--concurrency',
      '2',
      '--budget-usd',
      '5',
      '--models',
      'sonnet,haiku',
      '--agent-tools',
      'Read,Grep',
      '--json',
    );
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    const key = JSON.parse(created.stdout) as Record<string, unknown> & { key: string; id: string };
    expect(key).toMatchObject({
      name: 'ci-bot',
      rpm: 30,
      concurrency: 2,
      budget_usd: 5,
      models: ['sonnet', 'haiku'],
      agent_tools: ['Read', 'Grep'],
      admin: false,
      revoked_at: null,
    });
    expect(key.key).toMatch(/^sk-cg-/);

    // Read-only commands, and a gateway opening the same store, run side by side.
    const [listed, table, harness] = await Promise.all([
      cli('keys', 'list', '--json'),
      cli('keys', 'list'),
      startHarness({ config: { STORE_PATH: path.join(dataDir, 'gateway.db') } }),
    ]);
    h = harness;
    expect(listed.code).toBe(0);
    expect(listed.stdout).not.toContain(key.key);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ id: key.id, prefix: key.key.slice(0, 12) }),
    ]);
    expect(table.stdout).toMatch(
      /ci-bot .*30 rpm, 2 concurrent, budget \$5\.00, models sonnet,haiku, agent tools Read,Grep/,
    );
    expect((await readFile(path.join(dataDir, 'gateway.db'))).includes(key.key)).toBe(false);

    // A gateway on the same store accepts the key, with its policy.
    const ok = await postJson(
      h.origin,
      '/v1/chat/completions',
      chatBody('from the cli key'),
      bearer(key.key),
    );
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-ratelimit-limit-requests')).toBe('30');
    const opus = await postJson(
      h.origin,
      '/v1/chat/completions',
      { ...chatBody(), model: 'opus' },
      bearer(key.key),
    );
    expect(opus.status).toBe(403);

    const revoked = await cli('keys', 'revoke', 'ci-bot');
    expect(revoked).toMatchObject({ code: 0, stdout: `Revoked key ${key.id} (ci-bot).\n` });
    const after = await readError(
      await postJson(h.origin, '/v1/chat/completions', chatBody(), bearer(key.key)),
    );
    expect(after.status).toBe(401);
    const [revokedAgain, usage, report] = await Promise.all([
      cli('keys', 'revoke', 'ci-bot'),
      cli('usage', '--json'),
      cli('usage'),
    ]);
    expect(revokedAgain.code).toBe(1);
    expect(usage.code).toBe(0);
    // The same body GET /v1/usage returns: snake_case, the last 30 days by default.
    const report30 = JSON.parse(usage.stdout) as {
      object: string;
      from: string;
      to: string;
      data: unknown[];
    };
    expect(report30).toMatchObject({ object: 'list', from: expect.any(String), to: expect.any(String) });
    expect(Date.parse(report30.to) - Date.parse(report30.from)).toBeGreaterThanOrEqual(30 * 86_400_000);
    const rows = report30.data as Array<Record<string, unknown>>;
    expect(rows).toEqual([
      expect.objectContaining({ key_id: key.id, key_name: 'ci-bot', requests: 2, errors: 1 }),
    ]);
    expect((rows[0]?.cost_usd as number) > 0).toBe(true);
    expect(report.stdout).toMatch(new RegExp(`${key.id}\\s+ci-bot\\s+2\\s+1`));
  });

  it('rejects bad arguments with exit code 2 and a hint', async () => {
    // Each is refused before the store is written, so they can run side by side.
    const [missingName, badNumber, unknown] = await Promise.all([
      cli('keys', 'create', '--rpm', '3'),
      cli('keys', 'create', '--name', 'x', '--rpm', 'lots'),
      cli('keys', 'create', '--name', 'x', '--colour', 'red'),
    ]);
    expect(missingName.code).toBe(2);
    expect(missingName.stderr).toContain('--name is required');
    expect(badNumber.code).toBe(2);
    expect(badNumber.stderr).toContain('--rpm');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--help');
  });

  it('creates a key from a permission profile, explicit flags overriding it, and lists the profile', async () => {
    const created = await cli(
      'keys',
      'create',
      '--name',
      'trial',
      '--profile',
      'free',
      '--rpm',
      '3',
      '--json',
    );
    expect(created.code).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({
      profile: 'free',
      rpm: 3,
      concurrency: 1,
      agent_tools: ['Read', 'Grep', 'Glob'],
    });
    const listed = await cli('keys', 'list');
    expect(listed.stdout).toMatch(/trial .*profile free, 3 rpm/);
    const unknown = await cli('keys', 'create', '--name', 'x', '--profile', 'platinum');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown profile 'platinum'");
  });

  it('matches allow-lists by model, lists only those models, and refuses unknown ones at creation', async () => {
    const gpt9 = await cli('keys', 'create', '--name', 'typo', '--models', 'sonnet,gpt-9');
    expect(gpt9.code).toBe(2);
    expect(gpt9.stderr).toContain("unknown model 'gpt-9'; this gateway serves sonnet, opus, haiku");

    const { key } = await createKeyWithCli(cliEnv(), 'sonnet-only', '--models', 'sonnet');
    const gateway = await running();
    // What Claude Code sends as a client for `sonnet`: the full name the alias stands for.
    const chat = await postJson(
      gateway.origin,
      '/v1/chat/completions',
      { ...chatBody('full name'), model: 'claude-sonnet-5-5' },
      bearer(key),
    );
    expect(chat.status).toBe(200);
    const messages = await postJson(
      gateway.origin,
      '/v1/messages',
      { model: 'claude-sonnet-5-5', max_tokens: 64, messages: [{ role: 'user', content: 'as claude code' }] },
      { 'x-api-key': key, 'anthropic-version': '2023-06-01' },
    );
    expect(messages.status).toBe(200);
    const refused = await readError(
      await postJson(
        gateway.origin,
        '/v1/chat/completions',
        { ...chatBody(), model: 'claude-sonnet-4-5' },
        bearer(key),
      ),
    );
    expect(refused).toMatchObject({ status: 403, error: { code: 'model_not_allowed' } });

    const listed = (await (await fetch(`${gateway.origin}/v1/models`, { headers: bearer(key) })).json()) as {
      data: Array<{ id: string }>;
    };
    expect(listed.data.map((model) => model.id)).toEqual(['sonnet', 'claude-sonnet-5-5']);
    const native = (await (
      await fetch(`${gateway.origin}/api/v1/models`, { headers: bearer(key) })
    ).json()) as {
      models: Array<{ id: string }>;
    };
    expect(native.models.map((model) => model.id)).toEqual(['sonnet', 'claude-sonnet-5-5']);
    expect((await fetch(`${gateway.origin}/v1/models/opus`, { headers: bearer(key) })).status).toBe(404);
  });

  it('changes a live key with keys update: the next request follows it, no restart', async () => {
    const { id, key } = await createKeyWithCli(cliEnv(), 'changing', '--models', 'haiku');
    const gateway = await running();
    const chat = (model = 'opus') =>
      postJson(gateway.origin, '/v1/chat/completions', { ...chatBody('again'), model }, bearer(key));
    expect((await chat()).status).toBe(403);

    const update = (...flags: string[]) => cli('keys', 'update', 'changing', ...flags);
    const opened = await update('--models', 'haiku,opus', '--rpm', '100');
    expect(opened.stderr).toBe('');
    expect(opened.stdout).toBe(`Updated key ${id} (changing): 100 rpm, models haiku,opus, no agent mode\n`);
    const allowed = await chat();
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('x-ratelimit-limit-requests')).toBe('100');

    // Expiry: the CLI sets it ahead; once it has passed (moved back in the store, as time would),
    // the key is refused as expired in each surface's shape.
    expect((await update('--expires', '1h')).stdout).toMatch(/expires \d{4}-\d{2}-\d{2}T/);
    const expiredAt = Date.now() - 1000;
    const store = await openGatewayStore({ engine: 'sqlite', file: path.join(dataDir, 'gateway.db') });
    try {
      expect((await store.keys.update(id, { expiresAt: expiredAt }))?.expiresAt).toBe(expiredAt);
    } finally {
      await store.close();
    }
    const expired = await readError(await chat());
    expect(expired).toMatchObject({ status: 401, error: { code: 'key_expired' } });
    expect(expired.error.message).toContain(new Date(expiredAt).toISOString());
    const anthropic = await postJson(
      gateway.origin,
      '/v1/messages',
      { model: 'opus', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] },
      { 'x-api-key': key, 'anthropic-version': '2023-06-01' },
    );
    expect(anthropic.status).toBe(401);
    expect(await anthropic.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    expect((await cli('keys', 'list')).stdout).toMatch(/changing .* expired /);

    // Renewed, then given a daily budget it has already spent today.
    expect(
      (await update('--expires', 'never', '--budget-usd', '0.00001', '--budget-period', 'day')).code,
    ).toBe(0);
    const overBudget = await readError(await chat());
    expect(overBudget).toMatchObject({ status: 429, error: { code: 'insufficient_quota' } });
    expect(overBudget.error.message).toMatch(
      /budget of \$0\.00001 a day; it starts afresh at \d{4}-\d{2}-\d{2}T00:00:00\.000Z/,
    );
    expect((await cli('keys', 'list')).stdout).toMatch(/changing .* over budget .*budget \$0\.00001 a day/);
    expect((await update('--budget-usd', 'none')).code).toBe(0);
    expect((await chat('haiku')).status).toBe(200);
  });
});
