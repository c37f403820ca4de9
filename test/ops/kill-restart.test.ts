import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pidtree from 'pidtree';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditRow } from '../../src/contract/ports/audit.js';
import { type GatewayStore, openGatewayStore } from '../../src/store/gateway-store.js';
import { createKeyWithCli } from '../helpers/gateway-cli.js';
import { eventually } from '../helpers/gateway-harness.js';
import { sseEvents } from '../helpers/sse-events.js';
import { type MockAnthropic, startMockAnthropic, text } from '../mock-anthropic/server.js';
import { bearer, chatBody, postJson } from '../security/http.js';
import { endOrphans, type ServerProcess, startServerProcess } from './server-process.js';

let mock: MockAnthropic;
let dataDir: string;
const servers: ServerProcess[] = [];

beforeAll(async () => {
  mock = await startMockAnthropic();
  dataDir = await mkdtemp(path.join(tmpdir(), 'claude-gateway-killed-'));
});
afterEach(async () => {
  for (const server of servers.splice(0)) await server.cleanup();
  mock.reset();
});
afterAll(async () => {
  await mock?.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** Reads the gateway's SQLite store beside the running server, as `claude-gateway usage` would. */
async function withStore<T>(read: (store: GatewayStore) => Promise<T>): Promise<T> {
  const store = await openGatewayStore({ engine: 'sqlite', file: path.join(dataDir, 'gateway.db') });
  try {
    return await read(store);
  } finally {
    await store.close();
  }
}

const auditRows = () => withStore(async (store) => (await store.audit.search({ limit: 10, offset: 0 })).rows);

describe('a gateway killed outright (kill -9) with streams in flight', () => {
  it('keeps their runs: after a restart they are in the audit log as interrupted, with the tokens and cost known, in usage and charged', async () => {
    const key = await createKeyWithCli({ DATA_DIR: dataDir }, 'killed', '--budget-usd', '100');
    const first = await startServerProcess(mock.url, {}, { dataDir });
    servers.push(first);
    // Each stream starts its answer (its input tokens known), then stalls far beyond the test.
    for (let n = 0; n < 3; n++) {
      mock.enqueue(
        text('first then nothing for a long time', {
          chunkDelayMs: 120_000,
          usage: { input_tokens: 1000, output_tokens: 50 },
        }),
      );
    }
    const streams = await Promise.all(
      [1, 2, 3].map(async (n) => {
        const response = await postJson(
          first.origin,
          '/v1/chat/completions',
          chatBody(`stream ${n}`, { stream: true }),
          bearer(key.key),
        );
        expect(response.status).toBe(200);
        const events = sseEvents(response);
        await events.next();
        return events;
      }),
    );
    // The rows are written at admission and brought up to date every few seconds.
    const known = (rows: AuditRow[]) => rows.filter((row) => row.running && row.promptTokens > 0);
    expect(await eventually(async () => known(await auditRows()).length === 3, 20_000, 250)).toBe(true);

    const orphans = await pidtree(first.child.pid as number);
    first.child.kill('SIGKILL');
    const exited = await first.exited;
    endOrphans(orphans);
    expect(exited).toEqual({ code: null, signal: 'SIGKILL' });
    // The clients see their connections cut; that is all a gateway killed outright can tell them.
    for (const events of streams) await events.return(undefined).catch(() => undefined);

    const second = await startServerProcess(mock.url, {}, { dataDir });
    servers.push(second);
    const rows = await auditRows();
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row).toMatchObject({
        keyId: key.id,
        path: '/v1/chat/completions',
        stream: true,
        status: 503,
        errorCode: 'gateway_interrupted',
        promptTokens: 1000,
      });
      expect(row.running).toBeUndefined();
      expect(row.costUsd).toBeGreaterThan(0);
    }
    const cost = rows.reduce((sum, row) => sum + row.costUsd, 0);
    const { usage, spent } = await withStore(async (store) => ({
      usage: await store.audit.usage(0, Date.now() + 1),
      spent: (await store.keys.get(key.id))?.spentUsd,
    }));
    expect(usage).toEqual([
      expect.objectContaining({ keyId: key.id, requests: 3, errors: 3, promptTokens: 3000 }),
    ]);
    expect(usage[0]?.costUsd).toBeCloseTo(cost);
    expect(spent).toBeCloseTo(cost);
    expect(second.logs.map((entry) => entry.msg)).toContain(
      'runs an earlier gateway process left unfinished recorded as interrupted',
    );
  });
});
