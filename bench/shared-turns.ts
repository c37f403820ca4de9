/**
 * Continued turns on a shared database against one machine (issue 22): the same conversations,
 * each turn sent to a gateway on PostgreSQL (one of two sharing it, as docs/scale-out.md sets them
 * up) and to a lone SQLite gateway, interleaved turn by turn so background load falls on both
 * alike. Then conversations that alternate between the two PostgreSQL gateways: every turn lands
 * on the gateway that did not run the last one, so each resumes from the store.
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { type GatewayStore, openGatewayStore } from '../src/store/gateway-store.js';
import { startPostgresCluster } from '../test/helpers/postgres-cluster.js';
import { waitForQuiet } from './proc-stats.js';
import type { GatewayProcess } from './processes.js';
import { type Scenario, scenario } from './scenarios.js';
import { type ChatMessage, type TimedChat, timedChat } from './timed-chat.js';

export interface SharedTurnsOptions {
  startGateway(config: Record<string, string>): Promise<GatewayProcess>;
  scratch: string;
  model: string;
  /** Conversations, one after another. */
  conversations: number;
  /** Streamed turns each; turns 2.. are the ones compared. */
  turns: number;
}

export interface SharedTurnsFigures {
  conversations: number;
  turns: number;
  /** Turns 2.. on the lone SQLite gateway. */
  sqlite: Scenario;
  /** The same turns on a PostgreSQL gateway, every turn of a conversation on that one gateway. */
  postgres: Scenario;
  /** PostgreSQL median TTFT over SQLite's. */
  ratio: number;
  /** Turns 2.. of conversations whose turns alternate between the two PostgreSQL gateways. */
  alternating: Scenario;
}

export async function sharedTurns(options: SharedTurnsOptions): Promise<SharedTurnsFigures> {
  const cluster = await startPostgresCluster();
  const gateways: GatewayProcess[] = [];
  try {
    const databaseUrl = await cluster.createDatabase();
    // A key with limits on both, so each turn does the store's work a team's key does.
    const pgKey = await createKey(await openGatewayStore({ engine: 'postgres', url: databaseUrl }));
    const sharedDir = path.join(options.scratch, 'shared-turns-pg');
    const sqliteDir = path.join(options.scratch, 'shared-turns-sqlite');
    await mkdir(sharedDir, { recursive: true });
    await mkdir(sqliteDir, { recursive: true });
    const sqliteKey = await createKey(
      await openGatewayStore({ engine: 'sqlite', file: path.join(sqliteDir, 'gateway.db') }),
    );
    const onPostgres = (id: string) =>
      options.startGateway({
        DATA_DIR: sharedDir,
        INSTANCE_ID: id,
        DATABASE_URL: databaseUrl,
        AUTH_DISABLED: 'false',
      });
    const a = await onPostgres('shared-a');
    gateways.push(a);
    const b = await onPostgres('shared-b');
    gateways.push(b);
    const local = await options.startGateway({ DATA_DIR: sqliteDir, AUTH_DISABLED: 'false' });
    gateways.push(local);
    const pg = { url: a.url, pid: a.child.pid as number, key: pgKey };
    const lite = { url: local.url, pid: local.child.pid as number, key: sqliteKey };
    const postgres: TimedChat[] = [];
    const sqlite: TimedChat[] = [];
    for (let c = 0; c < options.conversations; c++) {
      const pgTalk = talk(options.model);
      const liteTalk = talk(options.model);
      for (let turn = 0; turn < options.turns; turn++) {
        const text = `turn ${turn} of ${randomUUID()}`;
        const onPg = await pgTalk.next(pg, text);
        const onLite = await liteTalk.next(lite, text);
        if (turn > 0) {
          postgres.push(onPg);
          sqlite.push(onLite);
        }
      }
    }
    const alternating: TimedChat[] = [];
    const gatewayB = { url: b.url, pid: b.child.pid as number, key: pgKey };
    for (let c = 0; c < options.conversations; c++) {
      const conversation = talk(options.model);
      for (let turn = 0; turn < options.turns; turn++) {
        const run = await conversation.next(turn % 2 === 0 ? pg : gatewayB, `turn ${turn} ${randomUUID()}`);
        if (turn > 0) alternating.push(run);
      }
    }
    const pgFigures = scenario(postgres);
    const liteFigures = scenario(sqlite);
    return {
      conversations: options.conversations,
      turns: options.turns,
      sqlite: liteFigures,
      postgres: pgFigures,
      ratio: pgFigures.ttft.median / liteFigures.ttft.median,
      alternating: scenario(alternating),
    };
  } finally {
    for (const gateway of gateways) await gateway.stop();
    await cluster.stop();
  }
}

async function createKey(store: GatewayStore): Promise<string> {
  try {
    const { key } = await store.keys.create({
      name: 'bench',
      policy: { rpm: 100_000, concurrency: 1_000 },
    });
    return key;
  } finally {
    await store.close();
  }
}

interface Target {
  url: string;
  pid: number;
  key: string;
}

/** A conversation: each turn sends the whole history so far to the target it is given. */
function talk(model: string) {
  const history: ChatMessage[] = [];
  return {
    async next(target: Target, text: string): Promise<TimedChat> {
      await waitForQuiet(target.pid);
      history.push({ role: 'user', content: text });
      const run = await timedChat(
        target.url,
        { model, messages: history },
        { authorization: `Bearer ${target.key}` },
      ).catch(
        (): TimedChat => ({ ok: false, status: 0, ttftMs: Number.NaN, ttlbMs: Number.NaN, content: '' }),
      );
      history.push({ role: 'assistant', content: run.content });
      return run;
    },
  };
}

/** Lines for the bench's report. */
export function formatSharedTurns(figures: SharedTurnsFigures): string[] {
  const line = (label: string, s: Scenario) =>
    `| ${label} | ${ms(s.ttft.median)} / ${ms(s.ttft.p95)} | ${ms(s.ttlb.median)} / ${ms(s.ttlb.p95)} | ${s.ttft.n}${s.errors ? `, ${s.errors} failed` : ''} |`;
  return [
    `Continued turns (2-${figures.turns} of ${figures.conversations} conversations), a key with limits, interleaved turn by turn`,
    '',
    '| Setup | TTFT p50 / p95 | Last byte p50 / p95 | Turns |',
    '| --- | --- | --- | --- |',
    line('SQLite, one gateway', figures.sqlite),
    line('PostgreSQL (two gateways share it), every turn on one', figures.postgres),
    line('PostgreSQL, turns alternate between the two gateways', figures.alternating),
    '',
    `- PostgreSQL over SQLite, median TTFT of continued turns: ${figures.ratio.toFixed(2)}x`,
  ];
}

function ms(value: number): string {
  return Number.isNaN(value) ? 'n/a' : `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} ms`;
}
