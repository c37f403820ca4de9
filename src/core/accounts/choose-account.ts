import type { Account, AccountPool, AccountState } from '../../contract/accounts.js';
import { earliestReset, isUsable } from './account-state.js';

/**
 * Which account a run goes to. A continued conversation stays on its account while that account is
 * usable (moving it loses the prompt cache); a new one is placed by the pool's strategy. The answer
 * is an order of candidates: the caller takes the first whose run slot it gets (maxConcurrency is
 * counted across gateways, so only trying tells).
 */

export interface AccountChoiceInput {
  pool: AccountPool;
  /** By account name; an account without a state is usable. */
  states: ReadonlyMap<string, AccountState>;
  /** Runs this gateway has on each account now: `least-used` breaks ties on it. */
  running?: ReadonlyMap<string, number>;
  /** The accounts the caller's key may use (KeyPolicy.accounts); absent: all. */
  allowed?: readonly string[];
  /** The account a continued conversation started on. */
  conversationAccount?: string;
  /** Accounts this run already failed on: not tried again (another one, or none). */
  exclude?: readonly string[];
  /** For `round-robin`: this gateway's count of new conversations placed so far (see roundRobinTurns). */
  turn?: number;
  now: number;
}

export type AccountChoice =
  /** Try these in order; `stayed` when the conversation's own account is the only one. */
  | { kind: 'candidates'; accounts: readonly Account[]; stayed: boolean }
  /** No allowed account is usable; `retryAt` (epoch ms) is the earliest that lifts by itself, if any. */
  | { kind: 'exhausted'; retryAt: number | undefined }
  /** The key may use no account of the pool (its list names none that exist). */
  | { kind: 'none-allowed' };

export function chooseAccounts(input: AccountChoiceInput): AccountChoice {
  const { pool, states, now } = input;
  const allowed = input.allowed ? new Set(input.allowed) : undefined;
  const allowedAccounts = pool.accounts.filter(
    (account) => allowed === undefined || allowed.has(account.name),
  );
  if (allowedAccounts.length === 0) return { kind: 'none-allowed' };
  const eligible = allowedAccounts.filter((account) => !input.exclude?.includes(account.name));
  const usable = eligible.filter((account) => isUsable(account, states.get(account.name), now));
  // The accounts this run already failed on come back at their resets like the others: the wait
  // its client is told is the earliest of all it may use.
  if (usable.length === 0) return { kind: 'exhausted', retryAt: earliestReset(allowedAccounts, states, now) };

  const own = usable.find((account) => account.name === input.conversationAccount);
  if (own) return { kind: 'candidates', accounts: [own], stayed: true };
  return { kind: 'candidates', accounts: ordered(usable, input), stayed: false };
}

function ordered(usable: readonly Account[], input: AccountChoiceInput): Account[] {
  const byPriority = [...usable].sort(comparePriority(input.pool.accounts));
  switch (input.pool.strategy) {
    case 'priority':
      return byPriority;
    case 'round-robin': {
      // Rotating the priority order spreads new conversations and keeps the rest as fallbacks.
      const start = (input.turn ?? 0) % byPriority.length;
      return [...byPriority.slice(start), ...byPriority.slice(0, start)];
    }
    case 'least-used': {
      const utilization = (account: Account) => input.states.get(account.name)?.utilization ?? 0;
      const running = (account: Account) => input.running?.get(account.name) ?? 0;
      // Stable sort: equal accounts keep their priority order.
      return byPriority.sort((a, b) => utilization(a) - utilization(b) || running(a) - running(b));
    }
  }
}

/** Lower priority first; without one, after those with one; ties in file order. */
function comparePriority(fileOrder: readonly Account[]): (a: Account, b: Account) => number {
  const position = new Map(fileOrder.map((account, index) => [account.name, index]));
  const rank = (account: Account) => account.priority ?? Number.POSITIVE_INFINITY;
  return (a, b) => {
    const byRank = rank(a) - rank(b);
    if (byRank !== 0 && !Number.isNaN(byRank)) return byRank;
    return (position.get(a.name) ?? 0) - (position.get(b.name) ?? 0);
  };
}

/** A gateway's round-robin counter: one turn per new conversation placed. */
export interface RoundRobinTurns {
  next(): number;
  /** The turn the next new conversation will take, without taking it. */
  peek(): number;
}

export function roundRobinTurns(): RoundRobinTurns {
  let turn = 0;
  return {
    next: () => turn++,
    peek: () => turn,
  };
}

/** Seconds for `Retry-After`: at least 1, rounded up. */
export function retryAfterSeconds(retryAt: number, now: number): number {
  return Math.max(1, Math.ceil((retryAt - now) / 1_000));
}
