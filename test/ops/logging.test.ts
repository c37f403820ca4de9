import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { useHarness } from '../helpers/gateway-harness.js';

/** Every line the gateway logs, parsed: its logger writes JSON to this buffer. */
function capturedLog() {
  const entries: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) entries.push(JSON.parse(line));
      done();
    },
  });
  return { entries, logger: createLogger('debug', { format: 'json', destination }) };
}

const INFO = 30;
const WARN = 40;
const DEBUG = 20;

describe('what the gateway logs while it runs', () => {
  const log = capturedLog();
  const h = useHarness({ logger: log.logger });
  const requestLines = (requestPath: string) =>
    log.entries.filter((entry) => entry.msg === 'request' && entry.path === requestPath);

  it('says at start which store, how many accounts and which surfaces it serves', () => {
    const started = log.entries.find((entry) => entry.msg === 'claude-gateway started');
    expect(started).toMatchObject({
      level: INFO,
      store: `sqlite ${path.join(h.dataDir, 'gateway.db')}`,
      accounts: 1,
      accountSources: ['credentials from the environment (ANTHROPIC_API_KEY)'],
    });
    expect(started?.surfaces).toEqual(
      expect.arrayContaining([
        'openai-chat',
        'openai-responses',
        'openai-completions',
        'anthropic-messages',
        'native',
        'tasks',
      ]),
    );
    expect(started?.surfaces).not.toContain('openai-unsupported');
  });

  it('logs probes and console polling at debug, API requests at info', async () => {
    for (const probe of ['/health', '/ready', '/metrics', '/console/api/live', '/console/']) {
      await (await fetch(`${h.origin}${probe}`)).arrayBuffer();
    }
    await (await fetch(`${h.baseURL}/models`)).arrayBuffer();
    for (const probe of ['/health', '/ready', '/metrics', '/console/api/live', '/console/']) {
      expect(
        requestLines(probe).map((entry) => entry.level),
        probe,
      ).toEqual([DEBUG]);
    }
    expect(requestLines('/v1/models').map((entry) => entry.level)).toEqual([INFO]);
  });

  it('logs an upstream 529 (Claude overloaded) as a warning without a stack', async () => {
    h.mock.enqueue({ kind: 'error', status: 529 });
    const answer = await fetch(`${h.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'overloaded-1' },
      body: JSON.stringify({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(answer.status).toBeGreaterThanOrEqual(500);
    const failures = log.entries.filter(
      (entry) => entry.requestId === 'overloaded-1' && entry.msg === 'request failed',
    );
    expect(failures).toEqual([
      expect.objectContaining({ level: WARN, status: answer.status, code: expect.any(String) }),
    ]);
    expect(JSON.stringify(failures)).not.toContain('    at ');
    expect(log.entries.some((entry) => entry.requestId === 'overloaded-1' && Number(entry.level) >= 50)).toBe(
      false,
    );
  });
});

describe('a gateway without prompt templates', () => {
  const log = capturedLog();
  const emptyTemplates = mkdtempSync(path.join(tmpdir(), 'no-templates-'));
  useHarness({ logger: log.logger, config: { TEMPLATES_DIR: emptyTemplates } });
  afterAll(() => rmSync(emptyTemplates, { recursive: true, force: true }));

  it('warns at start that the templates folder is empty', () => {
    expect(log.entries).toContainEqual(
      expect.objectContaining({
        level: WARN,
        dir: emptyTemplates,
        msg: expect.stringMatching(/^no prompt templates/),
      }),
    );
  });
});

describe('a gateway with its shipped templates', () => {
  const log = capturedLog();
  useHarness({ logger: log.logger });

  it('does not warn about templates', () => {
    expect(log.entries.filter((entry) => String(entry.msg).includes('templates'))).toEqual([]);
  });
});
