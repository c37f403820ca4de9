import type { Account, AccountSignal, AccountState, AccountStatus } from '../../contract/accounts.js';

/**
 * The account state machine: how a signal from a run changes what is known about its account, and
 * what that means at a given moment. Pure; times are epoch ms. Limits and backoffs lapse by
 * themselves (read through `statusAt`), so nothing needs a timer.
 */

export interface AccountStatePolicy {
  /** How long a rate limit that named no reset holds (a throttling 429, an API key's retry). */
  limitWithoutResetMs: number;
  /** How long an account without credit is left alone before it is tried again. */
  billingHoldMs: number;
  /** This many overloaded/server/connection errors within `stormWindowMs` make an account failing. */
  stormThreshold: number;
  stormWindowMs: number;
  /** The first failing backoff; it doubles with each failing episode in a row, up to `maxBackoffMs`. */
  baseBackoffMs: number;
  maxBackoffMs: number;
}

export const DEFAULT_ACCOUNT_STATE_POLICY: AccountStatePolicy = {
  limitWithoutResetMs: 60_000,
  billingHoldMs: 30 * 60_000,
  stormThreshold: 3,
  stormWindowMs: 60_000,
  baseBackoffMs: 10_000,
  maxBackoffMs: 10 * 60_000,
};

export interface TransitionContext {
  now: number;
  /** The account's current fingerprint: an `unauthorized` verdict is about these credentials. */
  fingerprint: string;
  policy?: AccountStatePolicy;
}

const fresh = (now: number): AccountState => ({
  status: 'usable',
  failures: 0,
  overloads: 0,
  updatedAt: now,
});

/** The state after `signal`, from `previous` (undefined: nothing known, so usable). */
export function nextAccountState(
  previous: AccountState | undefined,
  signal: AccountSignal,
  context: TransitionContext,
): AccountState {
  const { now } = context;
  const policy = context.policy ?? DEFAULT_ACCOUNT_STATE_POLICY;
  // A lapsed limit, backoff or stale refusal is read as usable first, so signals build on what holds now.
  const current =
    previous && statusAt(previous, now, context.fingerprint) === previous.status ? previous : undefined;
  const base = current ?? { ...fresh(now), ...carriedOver(previous) };
  switch (signal.kind) {
    case 'rate-limited': {
      const announced =
        signal.resetsAt ?? (signal.retryAfterMs !== undefined ? now + signal.retryAfterMs : undefined);
      const known = base.status === 'limited' ? base.resetsAt : undefined;
      // Several reports of one limit: the latest announced lift time wins, and a report that names
      // none (the error after the event that did) leaves the known one as it is.
      const resetsAt =
        announced === undefined
          ? (known ?? now + policy.limitWithoutResetMs)
          : Math.max(known ?? announced, announced);
      return {
        ...base,
        status: 'limited',
        resetsAt,
        ...(signal.utilization !== undefined ? { utilization: signal.utilization } : {}),
        lastErrorCode: 'rate_limit',
        overloads: 0,
        overloadsSince: undefined,
        updatedAt: now,
      };
    }
    case 'usage':
      // A report from a run that began before the account was found spent does not lift the limit.
      if (base.status !== 'usable') return base;
      return {
        ...base,
        ...(signal.utilization !== undefined ? { utilization: signal.utilization } : {}),
        ...(signal.resetsAt !== undefined ? { resetsAt: signal.resetsAt } : {}),
        updatedAt: now,
      };
    case 'unauthorized':
      return {
        ...base,
        status: 'unauthorized',
        resetsAt: undefined,
        lastErrorCode: signal.code,
        fingerprint: context.fingerprint,
        updatedAt: now,
      };
    case 'billing':
      return {
        ...base,
        status: 'limited',
        resetsAt: now + policy.billingHoldMs,
        lastErrorCode: signal.code,
        updatedAt: now,
      };
    case 'unavailable':
      // Errors of runs still going on a spent or refused account must not end its wait early.
      if (base.status === 'limited' || base.status === 'unauthorized') return base;
      return overloaded(base, signal.code, now, policy);
    case 'succeeded':
      // Proves the account works again after a backoff; a limit or a refusal stands until it lapses.
      if (base.status === 'limited' || base.status === 'unauthorized') return base;
      return {
        ...base,
        status: 'usable',
        resetsAt: usableReset(base),
        failures: 0,
        overloads: 0,
        overloadsSince: undefined,
        updatedAt: now,
      };
  }
}

/** What `state` means at `now` for an account whose credentials have `fingerprint`. */
export function statusAt(state: AccountState | undefined, now: number, fingerprint: string): AccountStatus {
  if (state === undefined) return 'usable';
  switch (state.status) {
    case 'limited':
    case 'failing':
      return state.resetsAt !== undefined && now >= state.resetsAt ? 'usable' : state.status;
    case 'unauthorized':
      // Edited credentials are new credentials: they get their chance.
      return state.fingerprint === undefined || state.fingerprint === fingerprint ? 'unauthorized' : 'usable';
    case 'usable':
      return 'usable';
  }
}

/** Whether a run may go to the account now. */
export function isUsable(account: Account, state: AccountState | undefined, now: number): boolean {
  return statusAt(state, now, account.fingerprint) === 'usable';
}

/**
 * When the first of `accounts` that is not usable now becomes usable again on its own: the moment to
 * name in `Retry-After`. Undefined when none will by itself (every one unauthorized).
 */
export function earliestReset(
  accounts: readonly Account[],
  states: ReadonlyMap<string, AccountState>,
  now: number,
): number | undefined {
  let earliest: number | undefined;
  for (const account of accounts) {
    const state = states.get(account.name);
    const status = statusAt(state, now, account.fingerprint);
    if ((status === 'limited' || status === 'failing') && state?.resetsAt !== undefined) {
      earliest = earliest === undefined ? state.resetsAt : Math.min(earliest, state.resetsAt);
    }
  }
  return earliest;
}

/**
 * Whether `next` tells other gateways something `previous` did not: a new status or reset, another
 * error, or utilisation moved by a percentage point. Utilisation arrives with every subscription run;
 * sharing each report would cost a write per run for nothing.
 */
export function worthSharing(previous: AccountState | undefined, next: AccountState): boolean {
  if (previous === undefined) return next.status !== 'usable' || next.utilization !== undefined;
  return (
    previous.status !== next.status ||
    previous.resetsAt !== next.resetsAt ||
    previous.lastErrorCode !== next.lastErrorCode ||
    previous.failures !== next.failures ||
    previous.overloads !== next.overloads ||
    Math.abs((previous.utilization ?? 0) - (next.utilization ?? 0)) >= 0.01
  );
}

function overloaded(base: AccountState, code: string, now: number, policy: AccountStatePolicy): AccountState {
  const inWindow = base.overloadsSince !== undefined && now - base.overloadsSince < policy.stormWindowMs;
  const overloads = inWindow ? base.overloads + 1 : 1;
  const overloadsSince = inWindow ? base.overloadsSince : now;
  if (overloads < policy.stormThreshold) {
    return { ...base, overloads, overloadsSince, lastErrorCode: code, updatedAt: now };
  }
  const failures = base.failures + 1;
  const backoff = Math.min(policy.baseBackoffMs * 2 ** (failures - 1), policy.maxBackoffMs);
  return {
    ...base,
    status: 'failing',
    resetsAt: now + backoff,
    failures,
    overloads: 0,
    overloadsSince: undefined,
    lastErrorCode: code,
    updatedAt: now,
  };
}

/** What outlives a lapsed limit or backoff: the usage known and the failing streak (for the next backoff). */
function carriedOver(previous: AccountState | undefined): Partial<AccountState> {
  if (previous === undefined) return {};
  return {
    ...(previous.utilization !== undefined && previous.status === 'usable'
      ? { utilization: previous.utilization }
      : {}),
    failures: previous.failures,
    ...(previous.lastErrorCode !== undefined ? { lastErrorCode: previous.lastErrorCode } : {}),
  };
}

/** A usable account's reset is its usage window's; a lapsed backoff's end is not one. */
function usableReset(state: AccountState): number | undefined {
  return state.status === 'usable' ? state.resetsAt : undefined;
}
