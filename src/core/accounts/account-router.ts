import type {
  Account,
  AccountKind,
  AccountPool,
  AccountSignal,
  AccountState,
  AccountStatus,
} from '../../contract/accounts.js';
import type { AccountStateStore } from '../../contract/ports/accounts.js';
import type { AccountSlots, ReleaseSlot } from './account-slots.js';
import { takeFirstFree } from './account-slots.js';
import { type AccountStatePolicy, nextAccountState, statusAt, worthSharing } from './account-state.js';
import { chooseAccounts, roundRobinTurns } from './choose-account.js';

/**
 * One gateway's use of the account pool: where a run goes (state, strategy, stickiness, the key's
 * accounts, run slots) and what a run reports back. States are read from the shared store at most
 * once per `statesTtlMs` (so placing a run costs no query most of the time) and this gateway's own
 * findings apply at once. A store that does not answer never fails a run: the last known states
 * serve, and the error is reported.
 */

export interface AccountRouterOptions {
  pool: AccountPool;
  states: AccountStateStore;
  slots: AccountSlots;
  /** How long states read from the store are trusted before they are read again. */
  statesTtlMs?: number;
  policy?: AccountStatePolicy;
  now?: () => number;
  onStoreError?: (error: unknown) => void;
}

export interface PlacementRequest {
  /** The caller's KeyPolicy.accounts; absent: every account. */
  allowed?: readonly string[];
  /** The account the conversation started on, when it continues one. */
  conversationAccount?: string;
  /** Accounts this run already failed on (a failover): only another one will do. */
  exclude?: readonly string[];
}

export type Placement =
  /** Run on `account`; call `release` when the run is over, however it ended. */
  | { kind: 'placed'; account: Account; release: ReleaseSlot; moved: boolean }
  /** Every allowed account is spent or failing; `retryAt` (epoch ms) is when the first comes back. */
  | { kind: 'exhausted'; retryAt: number | undefined }
  /** Every usable account runs its maxConcurrency already. */
  | { kind: 'busy' }
  /** The key may use no account of the pool. */
  | { kind: 'none-allowed' };

/** An account as operators see it (GET /api/v1/accounts, `accounts list`): never a credential. */
export interface AccountView {
  name: string;
  kind: AccountKind;
  status: AccountStatus;
  /** ISO 8601: when a limit or backoff lifts, or the usage window resets. */
  resetsAt: string | null;
  utilization: number | null;
  /** Runs on the account now, on every gateway sharing the store. */
  running: number;
  lastErrorCode: string | null;
  priority: number | null;
  maxConcurrency: number | null;
}

export interface AccountRouter {
  readonly pool: AccountPool;
  place(request: PlacementRequest): Promise<Placement>;
  /**
   * Whether some account the key may use is usable now, as `place` would find: no slot, no turn, no
   * query most of the time (states are cached). What admission asks before anything else.
   */
  availability(
    allowed?: readonly string[],
  ): Promise<Exclude<Placement, { kind: 'placed' | 'busy' }> | { kind: 'usable' }>;
  /**
   * The account a new conversation of a key that may use every account would go to now (what
   * spares are best started for); undefined when none is usable. Takes no slot and no turn.
   */
  preferred(): Promise<Account | undefined>;
  /** Applies what a run on `account` said; shared with the other gateways when it tells them something. */
  report(account: Account, signal: AccountSignal): Promise<AccountState>;
  /** Every account of the pool, in file order. */
  view(): Promise<AccountView[]>;
  /** An operator clearing an account: it is usable again, everywhere. False: no such account. */
  clear(name: string): Promise<boolean>;
}

export function createAccountRouter(options: AccountRouterOptions): AccountRouter {
  const now = options.now ?? Date.now;
  const ttl = options.statesTtlMs ?? 1_000;
  const turns = roundRobinTurns();
  let cache = new Map<string, AccountState>();
  let readAt = Number.NEGATIVE_INFINITY;

  async function currentStates(): Promise<ReadonlyMap<string, AccountState>> {
    if (now() - readAt < ttl) return cache;
    try {
      cache = new Map(await options.states.list());
    } catch (error) {
      options.onStoreError?.(error);
    }
    // A failed read is not retried at once: a store that is away is asked again after the TTL.
    readAt = now();
    return cache;
  }

  const byName = (name: string) => options.pool.accounts.find((account) => account.name === name);

  return {
    pool: options.pool,

    async place(request) {
      const choice = chooseAccounts({
        pool: options.pool,
        states: await currentStates(),
        running: options.slots.running(),
        ...(request.allowed ? { allowed: request.allowed } : {}),
        ...(request.conversationAccount ? { conversationAccount: request.conversationAccount } : {}),
        ...(request.exclude?.length ? { exclude: request.exclude } : {}),
        turn: options.pool.strategy === 'round-robin' && !request.conversationAccount ? turns.next() : 0,
        now: now(),
      });
      if (choice.kind !== 'candidates') return choice;
      const taken = await takeFirstFree(choice.accounts, options.slots);
      if (taken.kind === 'busy') return taken;
      const moved =
        request.conversationAccount !== undefined && taken.account.name !== request.conversationAccount;
      return { kind: 'placed', account: taken.account, release: taken.release, moved };
    },

    async availability(allowed) {
      const choice = chooseAccounts({
        pool: options.pool,
        states: await currentStates(),
        ...(allowed ? { allowed } : {}),
        now: now(),
      });
      return choice.kind === 'candidates' ? { kind: 'usable' } : choice;
    },

    async preferred() {
      const choice = chooseAccounts({
        pool: options.pool,
        states: await currentStates(),
        running: options.slots.running(),
        turn: turns.peek(),
        now: now(),
      });
      return choice.kind === 'candidates' ? choice.accounts[0] : undefined;
    },

    async report(account, signal) {
      const context = {
        now: now(),
        fingerprint: account.fingerprint,
        ...(options.policy ? { policy: options.policy } : {}),
      };
      const known = cache.get(account.name);
      const local = nextAccountState(known, signal, context);
      if (!worthSharing(known, local)) {
        cache.set(account.name, local);
        return local;
      }
      try {
        const shared = await options.states.update(account.name, (stored) =>
          nextAccountState(stored, signal, context),
        );
        cache.set(account.name, shared);
        return shared;
      } catch (error) {
        options.onStoreError?.(error);
        cache.set(account.name, local);
        return local;
      }
    },

    async view() {
      const states = await currentStates();
      const local = options.slots.running();
      const running = new Map(
        await Promise.all(
          options.pool.accounts.map(
            async (account) =>
              [
                account.name,
                await options.slots.runningEverywhere(account).catch(() => local.get(account.name) ?? 0),
              ] as const,
          ),
        ),
      );
      const at = now();
      return options.pool.accounts.map((account) => {
        const state = states.get(account.name);
        const status = statusAt(state, at, account.fingerprint);
        // A lapsed limit's time is history; a usable account's window reset is still news.
        const resetsAt = status === state?.status ? state.resetsAt : undefined;
        return {
          name: account.name,
          kind: account.kind,
          status,
          resetsAt: resetsAt !== undefined ? new Date(resetsAt).toISOString() : null,
          utilization: state?.utilization ?? null,
          running: running.get(account.name) ?? 0,
          lastErrorCode: state?.lastErrorCode ?? null,
          priority: account.priority ?? null,
          maxConcurrency: account.maxConcurrency ?? null,
        };
      });
    },

    async clear(name) {
      if (byName(name) === undefined) return false;
      await options.states.clear(name);
      cache.delete(name);
      return true;
    },
  };
}
