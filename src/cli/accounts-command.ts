import { parseArgs } from 'node:util';
import type { Account } from '../contract/accounts.js';
import type { AccountUsageRow } from '../contract/ports/audit.js';
import { type AccountReport, accountReport, startOfUtcDay } from '../core/accounts/account-report.js';
import type { AccountRouter } from '../core/accounts/account-router.js';
import { type CliIo, table, UsageError } from './cli-io.js';

export const ACCOUNTS_USAGE = `Usage:
  claude-gateway accounts list [--json]   the pooled Claude accounts (ACCOUNTS_FILE) and their state in the store
  claude-gateway accounts test NAME       one tiny run on that account (it costs a few tokens)
  claude-gateway accounts clear NAME      forget that the account was limited, failing or refused, on every gateway`;

/** How `accounts test` went: the answer and what it cost, or what the account said instead. */
export type AccountTestOutcome =
  | { ok: true; answer: string; durationMs: number; costUsd: number; tokens: number }
  | { ok: false; durationMs: number; reason: string };

export interface AccountsCommandDeps {
  router: AccountRouter;
  /** The audit log's usage per account since `from` (epoch ms). */
  usageSince(from: number): Promise<AccountUsageRow[]>;
  /** Runs one tiny prompt on the account (reporting what it says to the store). */
  testRun(account: Account): Promise<AccountTestOutcome>;
  io: CliIo;
  now?: () => number;
}

/** `claude-gateway accounts ...`; returns the exit code. */
export async function accountsCommand(args: readonly string[], deps: AccountsCommandDeps): Promise<number> {
  const [action, ...rest] = args;
  switch (action) {
    case 'list':
      return listAccounts(rest, deps);
    case 'test':
      return testAccount(rest, deps);
    case 'clear':
      return clearAccount(rest, deps);
    default:
      throw new UsageError(action ? `Unknown accounts command '${action}'.` : 'Missing accounts command.');
  }
}

async function listAccounts(args: readonly string[], deps: AccountsCommandDeps): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: { json: { type: 'boolean', default: false } },
    strict: true,
  });
  const now = deps.now ?? Date.now;
  const [views, rows] = await Promise.all([deps.router.view(), deps.usageSince(startOfUtcDay(now()))]);
  const report = accountReport(views, rows);
  if (values.json) {
    deps.io.out(JSON.stringify({ strategy: deps.router.pool.strategy, data: report }));
    return 0;
  }
  deps.io.out(
    table([
      ['NAME', 'KIND', 'STATUS', 'RESETS', 'UTIL', 'RUNNING', 'LAST ERROR', 'TODAY', 'COST TODAY'],
      ...report.map(row),
    ]),
  );
  return 0;
}

function row(account: AccountReport): string[] {
  return [
    account.name,
    account.kind,
    account.status,
    account.resetsAt ?? '-',
    account.utilization === null ? '-' : `${Math.round(account.utilization * 100)}%`,
    String(account.running),
    account.lastErrorCode ?? '-',
    `${account.today.requests} req`,
    `$${account.today.costUsd.toFixed(4)}`,
  ];
}

function oneName(args: readonly string[], command: string): string {
  const { positionals } = parseArgs({ args: [...args], options: {}, allowPositionals: true, strict: true });
  const name = positionals[0];
  if (!name || positionals.length > 1) throw new UsageError(`accounts ${command} takes one account name.`);
  return name;
}

function findAccount(deps: AccountsCommandDeps, name: string): Account | undefined {
  const account = deps.router.pool.accounts.find((candidate) => candidate.name === name);
  if (!account) {
    const known = deps.router.pool.accounts.map((candidate) => candidate.name).join(', ');
    deps.io.err(`claude-gateway: no account named '${name}' (known: ${known}).`);
  }
  return account;
}

async function testAccount(args: readonly string[], deps: AccountsCommandDeps): Promise<number> {
  const account = findAccount(deps, oneName(args, 'test'));
  if (!account) return 1;
  deps.io.out(`Testing ${account.name} (${account.kind}) with one tiny run; it costs a few tokens.`);
  const outcome = await deps.testRun(account);
  const seconds = (outcome.durationMs / 1000).toFixed(1);
  if (!outcome.ok) {
    deps.io.err(`${account.name}: failed after ${seconds} s: ${outcome.reason}`);
    return 1;
  }
  deps.io.out(
    `${account.name}: ok in ${seconds} s, answered ${JSON.stringify(outcome.answer.slice(0, 80))} (${outcome.tokens} tokens, $${outcome.costUsd.toFixed(4)})`,
  );
  return 0;
}

async function clearAccount(args: readonly string[], deps: AccountsCommandDeps): Promise<number> {
  const name = oneName(args, 'clear');
  if (!findAccount(deps, name)) return 1;
  await deps.router.clear(name);
  deps.io.out(`Cleared ${name}: it is usable again on every gateway sharing this store.`);
  return 0;
}
