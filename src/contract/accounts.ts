/**
 * Claude accounts the gateway runs Claude Code under (ACCOUNTS_FILE), what is known about each, and
 * the neutral signals that knowledge is learnt from. An account is fixed when a process starts (it
 * is the process's environment), so the engine needs only `name` and `env`; which account a run goes
 * to, and when an account is avoided, is decided above it (src/core/accounts/).
 */

/** How an account authenticates, derived from its environment; shown to operators, never the credential. */
export type AccountKind = 'api-key' | 'subscription' | 'bedrock' | 'vertex' | 'config-dir' | 'other';

export interface Account {
  /** Unique and safe to show: in logs, metrics labels, audit rows, URLs. */
  name: string;
  kind: AccountKind;
  /** Claude Code variables that give the account its credentials and endpoint (secrets: never shown). */
  env: Readonly<Record<string, string>>;
  /** Lower goes first under the `priority` strategy; accounts without one follow, in file order. */
  priority?: number;
  /** Runs at once on this account across every gateway sharing a database; absent: no limit. */
  maxConcurrency?: number;
  /**
   * A digest of `env`, not reversible: the account is "the same" while it holds. An account refused
   * as unauthorized is tried again once its fingerprint changes (its credentials were edited).
   */
  fingerprint: string;
}

/** How a new conversation picks its account; a continued one stays where it started. */
export type AccountStrategy = 'priority' | 'round-robin' | 'least-used';

export interface AccountPool {
  strategy: AccountStrategy;
  /** In file order; never empty. */
  accounts: readonly Account[];
  /** True without ACCOUNTS_FILE: one account, `default`, with the gateway's own environment. */
  implicit: boolean;
}

/**
 * `limited`: spent until `resetsAt`. `unauthorized`: its credentials were refused; not tried until
 * they change or an operator clears it. `failing`: errors in a row; tried again after a backoff.
 */
export type AccountStatus = 'usable' | 'limited' | 'unauthorized' | 'failing';

/** What is known about one account; shared by every gateway on a database. Never holds a credential. */
export interface AccountState {
  status: AccountStatus;
  /**
   * Epoch ms. `limited`: when the limit lifts; `failing`: when the backoff ends; `usable`: when the
   * subscription's current usage window resets, if known.
   */
  resetsAt?: number;
  /** Share of the subscription's usage window spent, 0 to 1, when Claude Code reported it. */
  utilization?: number;
  /** The last error Claude Code reported for the account (`rate_limit`, `authentication_failed`, ...). */
  lastErrorCode?: string;
  /** Failing episodes in a row: the backoff doubles with each. */
  failures: number;
  /** Overloaded or server errors counted in the window that started at `overloadsSince`. */
  overloads: number;
  overloadsSince?: number;
  /** `unauthorized` holds for these credentials only (the account's fingerprint when refused). */
  fingerprint?: string;
  /** Epoch ms of the last change. */
  updatedAt: number;
}

/** What a run told about its account, whatever wire it came in on. */
export type AccountSignal =
  /** Spent or throttled: a 429, a rate-limit retry, a `rejected` rate-limit event. */
  | { kind: 'rate-limited'; resetsAt?: number; retryAfterMs?: number; utilization?: number }
  /** The API answered and said how much of the usage window is spent. */
  | { kind: 'usage'; utilization?: number; resetsAt?: number }
  /** The credentials were refused (authentication_failed, account_on_hold, ...). */
  | { kind: 'unauthorized'; code: string }
  /** No credit left (billing_error). */
  | { kind: 'billing'; code: string }
  /** One overloaded, server or connection error: several close together make the account failing. */
  | { kind: 'unavailable'; code: string }
  /** A run on the account ended well. */
  | { kind: 'succeeded' };
