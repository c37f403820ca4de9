import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runGatewayCli } from '../helpers/gateway-cli.js';
import { type Harness, startHarness } from '../helpers/gateway-harness.js';
import { bearer, chatBody, postJson, readError } from './http.js';

let dataDir: string;
let h: Harness | undefined;

/** Runs the real `claude-gateway` entry point as a child process against the temp data dir. */
const cli = (...args: string[]) => runGatewayCli({ HOME: dataDir, DATA_DIR: dataDir }, ...args);

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
      /ci-bot .*30 rpm, 2 concurrent, budget \$5, models sonnet,haiku, agent tools Read,Grep/,
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
    expect(unknown.stderr).toContain("Unknown profile 'platinum'");
  });
});
