/**
 * Pooled accounts (ACCOUNTS_FILE), timed in one run against an in-process mock Messages API that
 * tells accounts apart by credential: a cold new conversation on a gateway without ACCOUNTS_FILE and
 * on one with a single account (what the pool costs when it has nothing to decide), and the first
 * token when the first account answers 429 and the run moves to the second: a spent subscription
 * (rejected, never retried by Claude Code) and a spent API key (Claude Code's first rate-limit retry).
 * Each round clears the spent account first, so every failover run meets its 429. The runs of a
 * round are interleaved and wait for a quiet machine, so background load falls on all alike.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { startMockAnthropic } from '../test/mock-anthropic/server.js';
import { BENCH_MAX_CONCURRENCY } from './gateways.js';
import { waitForQuiet } from './proc-stats.js';
import { type GatewayProcess, gatewayLauncher } from './processes.js';
import { formatSummary, type Summary, summarize } from './stats.js';
import { type TimedChat, timedChat } from './timed-chat.js';

const ADMIN_KEY = 'sk-bench-accounts-admin';
const SPENT_TOKEN = 'sk-ant-oat01-bench-spent-subscription';
const SPENT_KEY = 'sk-ant-api03-bench-spent-key';
const GOOD_KEY = 'sk-ant-api03-bench-good-key';

export interface AccountsBenchOptions {
  scratch: string;
  model: string;
  runs: number;
}

interface Scenario {
  ttft: Summary;
  ttlb: Summary;
  errors: number;
}

export interface AccountsFigures {
  runs: number;
  /** New conversations, cold (no spares): the gateway's own credentials. */
  noAccountsFile: Scenario;
  /** The same on a gateway whose ACCOUNTS_FILE holds one account. */
  oneAccount: Scenario;
  /** First account a spent subscription: its 429, then the second account answers. */
  failoverFromSubscription: Scenario;
  /** First account a spent API key: Claude Code's first retry of its 429 moves the run. */
  failoverFromApiKey: Scenario;
  /** Median first-token cost of each failover over the one-account cold start. */
  failoverCostMs: { subscription: number; apiKey: number };
}

type Account = { name: string; env: Record<string, string>; priority: number };

async function accountsFile(dir: string, name: string, accounts: Account[]): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${name}.json`);
  await writeFile(file, JSON.stringify({ strategy: 'priority', accounts }), { mode: 0o600 });
  return file;
}

export async function accountScenarios(options: AccountsBenchOptions): Promise<AccountsFigures> {
  const mock = await startMockAnthropic();
  const baseEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: path.join(options.scratch, 'accounts-home'),
    ANTHROPIC_BASE_URL: mock.url,
    ANTHROPIC_API_KEY: GOOD_KEY,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
  };
  await mkdir(baseEnv.HOME as string, { recursive: true });
  const start = gatewayLauncher(baseEnv, path.join(options.scratch, 'accounts'), BENCH_MAX_CONCURRENCY);
  const files = path.join(options.scratch, 'accounts-files');
  const good: Account = { name: 'good', env: { ANTHROPIC_API_KEY: GOOD_KEY }, priority: 2 };
  const cold = { WARM_SPARES: '0', HOT_SESSIONS_MAX: '0', GATEWAY_ADMIN_KEY: ADMIN_KEY };
  const gateways: GatewayProcess[] = [];
  const launch = async (config: Record<string, string>) => {
    const gateway = await start({ ...cold, ...config });
    gateways.push(gateway);
    return gateway;
  };
  try {
    const plain = await launch({});
    const single = await launch({
      ACCOUNTS_FILE: await accountsFile(files, 'one', [{ ...good, priority: 1 }]),
    });
    const fromSubscription = await launch({
      ACCOUNTS_FILE: await accountsFile(files, 'spent-subscription', [
        { name: 'spent', env: { CLAUDE_CODE_OAUTH_TOKEN: SPENT_TOKEN }, priority: 1 },
        good,
      ]),
    });
    const fromApiKey = await launch({
      ACCOUNTS_FILE: await accountsFile(files, 'spent-key', [
        { name: 'spent', env: { ANTHROPIC_API_KEY: SPENT_KEY }, priority: 1 },
        good,
      ]),
    });
    mock.scriptCredential(SPENT_TOKEN, { quota: 0 });
    mock.scriptCredential(SPENT_KEY, { quota: 0, retryAfterSeconds: 30, unifiedHeaders: false });

    // (Claude Code retries a 429 under the gateway's CLAUDE_MAX_RETRIES of 2: its first retry moves the run.)
    const samples = {
      plain: [] as TimedChat[],
      single: [] as TimedChat[],
      sub: [] as TimedChat[],
      key: [] as TimedChat[],
    };
    const run = async (gateway: GatewayProcess, into: TimedChat[], label: string) => {
      await waitForQuiet(gateway.child.pid as number);
      into.push(
        await timedChat(gateway.url, {
          model: options.model,
          messages: [{ role: 'user', content: `${label} ${randomUUID()}` }],
        }),
      );
    };
    // One warm-up each: the first run of a gateway process pays for loading its modules.
    for (const gateway of gateways) await run(gateway, [], 'warm-up');
    for (let i = 0; i < options.runs; i++) {
      await run(plain, samples.plain, 'no accounts file');
      await run(single, samples.single, 'one account');
      await clearSpent(fromSubscription);
      await run(fromSubscription, samples.sub, 'failover from a subscription');
      await clearSpent(fromApiKey);
      await run(fromApiKey, samples.key, 'failover from an API key');
    }
    const figures = {
      runs: options.runs,
      noAccountsFile: scenario(samples.plain),
      oneAccount: scenario(samples.single),
      failoverFromSubscription: scenario(samples.sub),
      failoverFromApiKey: scenario(samples.key),
    };
    return {
      ...figures,
      failoverCostMs: {
        subscription: figures.failoverFromSubscription.ttft.median - figures.oneAccount.ttft.median,
        apiKey: figures.failoverFromApiKey.ttft.median - figures.oneAccount.ttft.median,
      },
    };
  } finally {
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    await mock.close();
  }
}

/** Forgets that the first account is spent, on that gateway, so the next run meets its 429 again. */
async function clearSpent(gateway: GatewayProcess): Promise<void> {
  const response = await fetch(`${gateway.url}/api/v1/accounts/spent/clear`, {
    method: 'POST',
    headers: { 'x-api-key': ADMIN_KEY },
  });
  if (!response.ok) throw new Error(`clearing the spent account answered ${response.status}`);
}

function scenario(samples: readonly TimedChat[]): Scenario {
  const ok = samples.filter((sample) => sample.ok);
  return {
    ttft: summarize(ok.map((sample) => sample.ttftMs)),
    ttlb: summarize(ok.map((sample) => sample.ttlbMs)),
    errors: samples.length - ok.length,
  };
}

export function formatAccounts(figures: AccountsFigures): string[] {
  const row = (label: string, s: Scenario) =>
    `  ${label.padEnd(38)} ttft ${formatSummary(s.ttft)}  ttlb ${formatSummary(s.ttlb)}${s.errors ? `  errors ${s.errors}` : ''}`;
  return [
    `Pooled accounts: new conversations, cold, medians (min–max) of ${figures.runs} runs each, interleaved`,
    row('no ACCOUNTS_FILE', figures.noAccountsFile),
    row('ACCOUNTS_FILE with one account', figures.oneAccount),
    row("failover after a subscription's 429", figures.failoverFromSubscription),
    row("failover after an API key's 429", figures.failoverFromApiKey),
    `  failover cost over one account (ttft medians): subscription ${figures.failoverCostMs.subscription.toFixed(0)} ms, API key ${figures.failoverCostMs.apiKey.toFixed(0)} ms`,
  ];
}
