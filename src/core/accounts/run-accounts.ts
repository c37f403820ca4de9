import { accountSlotTimeout, accountsExhausted, noAccountAllowed } from '../../contract/account-errors.js';
import type { Account, AccountPool, AccountSignal, AccountStatus } from '../../contract/accounts.js';
import { GatewayError } from '../../contract/gateway-error.js';
import type { AccountRouter, Placement, PlacementRequest } from './account-router.js';
import { statusAt } from './account-state.js';
import { retryAfterSeconds } from './choose-account.js';

/**
 * The run service's use of the account pool: the refusal at admission (every account spent: each
 * surface's 429 with `Retry-After`, or a hold of up to ACCOUNTS_HOLD_MS), the placement of a run
 * (waiting like any run for a slot when every usable account is at its maxConcurrency), and what runs
 * report. Refusals are the neutral errors of contract/account-errors.ts.
 */

export interface RunAccountsOptions {
  router: AccountRouter;
  /** ACCOUNTS_HOLD_MS: a request finding every account spent waits for the first reset within this; 0: never. */
  holdMs: number;
  /** QUEUE_TIMEOUT_MS: how long a run waits for a free slot on an account. */
  slotWaitMs: number;
  /** How often a waiting run looks again (a slot another gateway freed sends no signal here). */
  pollMs?: number;
  now?: () => number;
  /**
   * A run's report changed what an account can do (spent, refused, back), or the account new
   * conversations go to next changed: the engine moves its spares and ends idle processes.
   */
  onChange?: (change: AccountChange) => void;
}

export interface AccountChange {
  /** The account whose status changed, with its new status; absent when only `preferred` moved. */
  account?: Account;
  status?: AccountStatus;
  /** The account a new conversation goes to next (undefined: none usable). */
  preferred: Account | undefined;
}

/** What admission decided about accounts: nothing to wait for, or a hold until the first reset. */
export interface AccountAdmission {
  /** Epoch ms: every account the run may use is spent until then, and ACCOUNTS_HOLD_MS covers the wait. */
  heldUntil?: number;
}

export interface PlacedRun {
  account: Account;
  /** A continued conversation left its account (it was not usable). */
  moved: boolean;
  /** Gives the account's run slot back; harmless to repeat. */
  release(): void;
}

export interface RunAccounts {
  readonly pool: AccountPool;
  /** Refuses at once (429, 403) when no account the key may use can take a run now, or holds. */
  admit(allowed: readonly string[] | undefined): Promise<AccountAdmission>;
  /**
   * The account a run goes to, with its slot: waits out a hold first, then for a slot up to the
   * queue timeout. Throws the neutral refusal (429, 403, 503) or, when `signal` fires, a 499.
   */
  place(request: PlacementRequest, signal: AbortSignal, heldUntil?: number): Promise<PlacedRun>;
  /** What a run told about its account; resolves to whether the account is usable now. */
  report(account: Account, signal: AccountSignal): Promise<boolean>;
  /** The pool's account of that name. */
  find(name: string): Account | undefined;
}

const DEFAULT_POLL_MS = 200;

export function createRunAccounts(options: RunAccountsOptions): RunAccounts {
  const { router } = options;
  const now = options.now ?? Date.now;
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS;
  const waiting = new Set<() => void>();
  // What this gateway last saw of each account, so a change is told once.
  const known = new Map<string, AccountStatus>();
  let preferred: string | undefined;

  const wakeWaiting = () => {
    for (const wake of [...waiting]) wake();
  };

  const refusal = (placement: Exclude<Placement, { kind: 'placed' | 'busy' }>): GatewayError =>
    placement.kind === 'none-allowed'
      ? noAccountAllowed()
      : accountsExhausted(
          placement.retryAt === undefined ? undefined : retryAfterSeconds(placement.retryAt, now()),
        );

  async function tellPreferred(account?: Account, status?: AccountStatus): Promise<void> {
    if (!options.onChange) return;
    const next = await router.preferred();
    if (account === undefined && next?.name === preferred) return;
    preferred = next?.name;
    options.onChange({ ...(account ? { account, status } : {}), preferred: next });
  }

  async function placeOnce(request: PlacementRequest): Promise<Placement> {
    const placement = await router.place(request);
    // The next new conversation's account may differ now (a round-robin turn is no change of state).
    if (placement.kind === 'placed' && router.pool.strategy !== 'round-robin') await tellPreferred();
    return placement;
  }

  return {
    pool: router.pool,

    async admit(allowed) {
      const placement = await router.availability(allowed);
      if (placement.kind === 'usable') return {};
      if (placement.kind === 'exhausted' && placement.retryAt !== undefined) {
        const waitMs = placement.retryAt - now();
        if (waitMs <= options.holdMs) return { heldUntil: placement.retryAt };
      }
      throw refusal(placement);
    },

    async place(request, signal, heldUntil) {
      if (heldUntil !== undefined) await sleep(heldUntil - now(), signal);
      // Waiting is measured on the monotonic clock; `now` is the accounts' (limits and resets).
      const deadline = performance.now() + options.slotWaitMs;
      for (;;) {
        const placement = await placeOnce(request);
        if (placement.kind === 'placed') {
          let released = false;
          return {
            account: placement.account,
            moved: placement.moved,
            release() {
              if (released) return;
              released = true;
              placement.release();
              wakeWaiting();
            },
          };
        }
        if (placement.kind !== 'busy') throw refusal(placement);
        const left = deadline - performance.now();
        if (left <= 0) throw accountSlotTimeout(options.slotWaitMs);
        await new Promise<void>((resolve, reject) => {
          const done = () => {
            clearTimeout(timer);
            waiting.delete(done);
            signal.removeEventListener('abort', gone);
            resolve();
          };
          const gone = () => {
            done();
            reject(clientGone());
          };
          const timer = setTimeout(done, Math.min(pollMs, left));
          waiting.add(done);
          if (signal.aborted) gone();
          else signal.addEventListener('abort', gone, { once: true });
        });
      }
    },

    async report(account, signal) {
      const state = await router.report(account, signal);
      const status = statusAt(state, now(), account.fingerprint);
      if ((known.get(account.name) ?? 'usable') !== status) {
        known.set(account.name, status);
        await tellPreferred(account, status);
      }
      return status === 'usable';
    },

    find: (name) => router.pool.accounts.find((account) => account.name === name),
  };
}

/** Waits `ms` unless the client goes away first (then the 499 every abandoned wait gets). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', gone);
      resolve();
    }, ms);
    const gone = () => {
      clearTimeout(timer);
      reject(clientGone());
    };
    if (signal.aborted) gone();
    else signal.addEventListener('abort', gone, { once: true });
  });
}

function clientGone(): GatewayError {
  return new GatewayError({
    status: 499,
    kind: 'invalid_request',
    code: 'client_closed_request',
    message: 'The client went away while waiting.',
  });
}
