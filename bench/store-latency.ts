/**
 * `npm run bench:store`: what the store adds to a request on each engine, without Claude Code.
 * One continued chat turn touches the store for: the key lookup, the rpm window, the budget read,
 * a run lease (take + give back), the conversation claim and its commit, the transcript load the
 * SDK does on resume (a 2-turn session), and the audit row. PostgreSQL runs in a throw-away local
 * cluster (loopback, fsync off), so network latency to a real database comes on top.
 *
 *   npm run bench:store [-- --runs 200]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { hashApiKey } from '../src/auth/api-key.js';
import type { ClaudeTurn, RunPlan } from '../src/claude/run-plan.js';
import type { StoreLocation } from '../src/store/engine.js';
import { openGatewayStore } from '../src/store/gateway-store.js';
import { findPostgresBin, startPostgresCluster } from '../test/helpers/postgres-cluster.js';
import { formatSummary, summarize } from './stats.js';

const { values: args } = parseArgs({ options: { runs: { type: 'string', default: '200' } } });
const RUNS = Math.min(5000, Math.max(20, Number(args.runs) || 200));

const text = (role: 'user' | 'assistant', t: string): ClaudeTurn => ({
  role,
  content: [{ type: 'text', text: t }],
});
const plan = (history: ClaudeTurn[], prompt: string): RunPlan => ({
  model: 'sonnet',
  history,
  prompt: text('user', prompt).content,
  thinking: 'disabled',
  clientTools: [],
});

async function measure(location: StoreLocation): Promise<number[]> {
  const store = await openGatewayStore(location);
  const { record, key } = await store.keys.create({
    name: 'bench',
    policy: { rpm: 1_000_000, concurrency: 100 },
  });
  const window = store.rateWindow(60_000);
  const leases = store.concurrency({ instanceId: 'bench' });
  const index = store.sessionIndex({
    ttlMs: 3_600_000,
    maxCount: 100_000,
    claimTtlMs: 600_000,
    defaultCwd: '/w',
  });
  const samples: number[] = [];
  try {
    for (let i = 0; i < RUNS + 10; i++) {
      // The first turn, outside the timing: a session holding one exchange.
      const first = await index.begin(plan([], `hello ${i}`), { callerId: record.id });
      await first.commit(text('assistant', `hi ${i}`));
      const transcriptKey = { projectKey: '-w', sessionId: first.session.id };
      await store.transcripts.append(transcriptKey, [
        { type: 'user', uuid: `${i}-u`, message: { role: 'user', content: `hello ${i}` } },
        { type: 'assistant', uuid: `${i}-a`, message: { role: 'assistant', content: `hi ${i}` } },
      ]);

      const started = performance.now();
      await store.keys.findByHash(hashApiKey(key));
      await window.increment(record.id);
      await store.keys.get(record.id);
      const release = await leases.tryAcquire(record.id, 100);
      const claim = await index.begin(
        plan([text('user', `hello ${i}`), text('assistant', `hi ${i}`)], 'again'),
        {
          callerId: record.id,
        },
      );
      if (!claim.session.continues) throw new Error('the bench turn did not continue its session');
      await store.transcripts.load(transcriptKey);
      await claim.commit(text('assistant', 'again'));
      await release?.();
      await store.audit.record({
        at: Date.now(),
        requestId: `r${i}`,
        keyId: record.id,
        method: 'POST',
        path: '/v1/chat/completions',
        model: 'sonnet',
        stream: false,
        status: 200,
        errorCode: null,
        promptTokens: 10,
        completionTokens: 5,
        costUsd: 0.001,
        durationMs: 1000,
        timeToFirstChunkMs: 500,
        queueWaitMs: 0,
        prompt: null,
      });
      if (i >= 10) samples.push(performance.now() - started);
    }
  } finally {
    await leases.close();
    await store.close();
  }
  return samples;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'cg-bench-store-'));
try {
  const sqlite = summarize(await measure({ engine: 'sqlite', file: path.join(dir, 'gateway.db') }));
  console.log(`store work of one continued turn, ${RUNS} runs (ms)`);
  console.log(`sqlite    ${formatSummary(sqlite)}`);
  if (findPostgresBin()) {
    const cluster = await startPostgresCluster();
    try {
      const postgres = summarize(await measure({ engine: 'postgres', url: await cluster.createDatabase() }));
      console.log(`postgres  ${formatSummary(postgres)}`);
    } finally {
      await cluster.stop();
    }
  } else {
    console.log('postgres  skipped: no PostgreSQL binaries (apt-get install postgresql)');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
