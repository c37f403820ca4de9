import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { accountLostMidAnswer } from '../../contract/account-errors.js';
import type { Account } from '../../contract/accounts.js';
import { GatewayError } from '../../contract/gateway-error.js';
import type { RunPlan } from '../../contract/run-plan.js';
import type { ClaudeRunner, RunCleanup } from '../../engine/runner.js';
import { accountSignalReader } from './account-signals.js';
import type { PlacedRun, RunAccounts } from './run-accounts.js';

/**
 * A run on the pool of accounts: its SDK messages are read for what they say about the account
 * (account-signals.ts) and reported; when one says the account cannot answer now (a rate-limit
 * retry, a rejected limit, refused credentials, no credit) the run does not wait it out. Before
 * anything reached the client it is ended and run again on the next usable account, so the client
 * sees only the answer; after that it ends with the surface's in-band error.
 */

export interface AccountAttempt {
  plan: RunPlan;
  placed: PlacedRun;
  /**
   * A continued conversation's account when the run moves it elsewhere (null: it ran without a
   * pooled account): its transcript is found there.
   */
  movedFrom?: Account | null;
}

/** A fresh start of the run after a failed attempt: its plan, and the account its conversation was on. */
export interface RestartedRun {
  plan: RunPlan;
  conversationAccount: string | undefined;
}

export interface RunOnAccountsOptions {
  accounts: RunAccounts;
  runner: ClaudeRunner;
  signal: AbortSignal;
  cleanup: RunCleanup;
  /** Passed to each attempt's runner (see RunOptions). */
  onTurnSent?: () => void;
  first: AccountAttempt;
  /** The caller's KeyPolicy.accounts (absent: every account). */
  allowed: readonly string[] | undefined;
  /** Whether any event of the run reached its consumer: from then on the run cannot move silently. */
  sent(): boolean;
  /**
   * Starts the run over in a clean conversation: the failed attempt may have recorded half a turn
   * (its prompt and an error) in its session, which must not be resumed.
   */
  restart(): Promise<RestartedRun>;
  /** The run is on this account now (the summary and the session record it). */
  onAccount(account: Account): void;
}

export async function* runOnAccounts(
  options: RunOnAccountsOptions,
): AsyncGenerator<SDKMessage, void, undefined> {
  let attempt = options.first;
  const tried: string[] = [];
  try {
    for (;;) {
      options.onAccount(attempt.placed.account);
      const next = yield* runAttempt(options, attempt, tried);
      if (next === undefined) return;
      attempt.placed.release();
      attempt = next;
    }
  } finally {
    attempt.placed.release();
  }
}

/** One attempt; resolves to the next one when it moves, else undefined once its messages end. */
async function* runAttempt(
  options: RunOnAccountsOptions,
  attempt: AccountAttempt,
  tried: string[],
): AsyncGenerator<SDKMessage, AccountAttempt | undefined, undefined> {
  const { account } = attempt.placed;
  const reader = accountSignalReader();
  const stop = new AbortController();
  const messages = options.runner.run(attempt.plan, AbortSignal.any([options.signal, stop.signal]), {
    cleanup: options.cleanup,
    ...(options.onTurnSent ? { onTurnSent: options.onTurnSent } : {}),
    account,
    ...(attempt.movedFrom !== undefined ? { movedFrom: attempt.movedFrom } : {}),
  });
  for await (const message of messages) {
    const seen = reader.read(message);
    if (seen) {
      const usable = await options.accounts.report(account, seen.signal);
      if (seen.moveOn) {
        const next = await moveOn(options, attempt, usable, [...tried, account.name]);
        if (next !== undefined) {
          // Ends this attempt's process (leaving the loop hands it back) before the next one starts.
          stop.abort();
          if (next instanceof GatewayError) throw next;
          tried.push(account.name);
          return next;
        }
      }
    }
    yield message;
  }
  return undefined;
}

/**
 * Where a run goes when its account said it cannot answer: the next attempt, an error that ends the
 * run now (instead of Claude Code waiting out a `retry-after` of maybe hours), or undefined to let
 * the run go on as it is (its own error follows, or Claude Code rides out an overloaded API).
 */
async function moveOn(
  options: RunOnAccountsOptions,
  attempt: AccountAttempt,
  usable: boolean,
  exclude: string[],
): Promise<AccountAttempt | GatewayError | undefined> {
  if (options.sent()) return usable ? undefined : accountLostMidAnswer();
  // A continued conversation leaves its account only when that account cannot be used.
  if (attempt.plan.session?.continues && usable) return undefined;
  let placed: PlacedRun;
  try {
    placed = await options.accounts.place(
      { ...(options.allowed ? { allowed: options.allowed } : {}), exclude },
      options.signal,
    );
  } catch (error) {
    if (!(error instanceof GatewayError) || error.status === 499) throw error;
    // No other account: a spent or refused one still must not be waited out; anything else runs on.
    return usable ? undefined : error;
  }
  let restarted: RestartedRun;
  try {
    restarted = await options.restart();
  } catch (error) {
    placed.release();
    throw error;
  }
  const from = restarted.conversationAccount;
  const movedFrom =
    restarted.plan.session?.continues && from !== placed.account.name
      ? ((from === undefined ? undefined : options.accounts.find(from)) ?? null)
      : undefined;
  return { plan: restarted.plan, placed, ...(movedFrom !== undefined ? { movedFrom } : {}) };
}
