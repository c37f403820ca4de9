/**
 * The credentials of pooled accounts go to Claude Code and nowhere else: after runs that met a
 * refused key, a spent subscription and a working one, none of them is in the gateway's log, its
 * responses, /metrics, the audit rows, its database file, GET /api/v1/accounts or the console's API,
 * while the account names are in each (so each place was really looked at).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { apiKeyAccount, subscriptionAccount, writeAccountsFile } from '../helpers/accounts-file.js';
import { useHarness } from '../helpers/gateway-harness.js';
import { readSse } from '../helpers/sse-events.js';
import { text } from '../mock-anthropic/server.js';
import { bearer, chatBody, postJson } from '../security/http.js';

// Each credential has a part no other text of the gateway could have by chance.
const REFUSED_KEY = 'sk-ant-api03-SECRETREFUSED7q2w';
const SPENT_TOKEN = 'sk-ant-oat01-SECRETSPENT9x4c';
const GOOD_TOKEN = 'sk-ant-oat01-SECRETGOOD3v8b';
const SECRETS = [REFUSED_KEY, SPENT_TOKEN, GOOD_TOKEN];
const OWNER = 'sk-owner-no-secrets-test';
const ADMIN = 'sk-admin-no-secrets-test';

function logLines() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, logger: createLogger('debug', { format: 'json', destination }) };
}

/** Fails naming the place and the credential found there. */
function expectNoSecret(place: string, content: string) {
  for (const secret of SECRETS) {
    // The distinctive tail alone would give a credential away too.
    expect(content.includes(secret.slice(-16)), `${place} holds ${secret.slice(0, 14)}…`).toBe(false);
  }
}

describe('no credential of a pooled account leaves for anywhere but Claude Code', () => {
  const log = logLines();
  const h = useHarness({
    config: {
      GATEWAY_API_KEYS: OWNER,
      GATEWAY_ADMIN_KEY: ADMIN,
      ACCOUNTS_FILE: writeAccountsFile([
        apiKeyAccount('refused', REFUSED_KEY, { priority: 1 }),
        subscriptionAccount('spent', SPENT_TOKEN, { priority: 2 }),
        subscriptionAccount('good', GOOD_TOKEN, { priority: 3 }),
      ]),
    },
    cliEnv: { CLAUDE_CODE_MAX_RETRIES: undefined },
    logger: log.logger,
  });

  it('is in no log, response, metric, audit row, database or account view', async () => {
    h.mock.scriptCredential(REFUSED_KEY, { unauthorized: true });
    h.mock.scriptCredential(SPENT_TOKEN, { quota: 0 });
    h.mock.enqueue(text('Answered by the good account.'));
    h.mock.enqueue(text('Again.'));
    const seen: Array<[string, string]> = [];
    const look = async (place: string, response: Response) => {
      seen.push([`${place} headers`, JSON.stringify([...response.headers])]);
      seen.push([place, await response.text()]);
    };

    const stream = await postJson(
      h.origin,
      '/v1/chat/completions',
      chatBody('hi', { stream: true }),
      bearer(OWNER),
    );
    expect(stream.status).toBe(200);
    const { events } = await readSse(stream.clone());
    const answer = events
      .map(
        (event) =>
          (event.data as { choices?: Array<{ delta?: { content?: string } }> }).choices?.[0]?.delta
            ?.content ?? '',
      )
      .join('');
    expect(answer).toBe('Answered by the good account.');
    await look('chat stream', stream);
    // Every account was tried: the refused and the spent one failed, the good one answered.
    expect(new Set(h.mock.requests.map((r) => r.credential))).toEqual(new Set(SECRETS));
    await look(
      'messages',
      await postJson(
        h.origin,
        '/v1/messages',
        { model: 'sonnet', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] },
        { 'x-api-key': OWNER },
      ),
    );

    const accounts = await fetch(`${h.origin}/api/v1/accounts`, { headers: { 'x-api-key': ADMIN } });
    await look('/api/v1/accounts', accounts);
    const metrics = await fetch(`${h.origin}/metrics`);
    await look('/metrics', metrics);
    const signIn = await postJson(h.origin, '/console/api/session', { key: ADMIN });
    expect(signIn.status).toBe(200);
    const cookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    for (const consolePath of [
      '/console/api/accounts',
      '/console/api/accounts/usage',
      '/console/api/requests',
    ]) {
      const response = await fetch(`${h.origin}${consolePath}`, { headers: { cookie } });
      expect(response.status, consolePath).toBe(200);
      await look(consolePath, response);
    }
    const audit = await h.gateway.store.audit.search({ limit: 100, offset: 0 });
    seen.push(['audit rows', JSON.stringify(audit.rows)]);
    const databaseFiles = readdirSync(h.dataDir).filter((file) => file.startsWith('gateway.db'));
    expect(databaseFiles).toContain('gateway.db');
    for (const file of databaseFiles) {
      seen.push([file, readFileSync(path.join(h.dataDir, file)).toString('latin1')]);
    }
    seen.push(['log', log.lines.join('')]);

    const all = new Map(seen);
    // The accounts are named where they should be: these places were read, not empty.
    for (const place of ['/api/v1/accounts', '/metrics', '/console/api/accounts', 'log']) {
      for (const name of ['refused', 'spent', 'good']) {
        expect(all.get(place), `${place} names ${name}`).toContain(`"${name}`);
      }
    }
    expect(audit.rows.map((row) => row.account)).toEqual(['good', 'good']);
    for (const [place, content] of seen) expectNoSecret(place, content);
  });
});
