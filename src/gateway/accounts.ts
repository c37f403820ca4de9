import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { AccountPool } from '../contract/accounts.js';
import type { SharedConcurrency } from '../contract/ports/limits.js';
import { type AccountRouter, createAccountRouter } from '../core/accounts/account-router.js';
import { accountSlots } from '../core/accounts/account-slots.js';
import { loadAccounts } from '../core/accounts/accounts-file.js';
import { type AccountChange, createRunAccounts, type RunAccounts } from '../core/accounts/run-accounts.js';
import type { GatewayStore } from '../store/gateway-store.js';
import type { Engine } from './engine.js';

/** ACCOUNTS_FILE, read once at start: a bad file stops the start with one line naming the problem. */
export function readAccountsFile(config: Config, env: NodeJS.ProcessEnv, logger: Logger): AccountPool {
  const { pool, warnings } = loadAccounts(config.ACCOUNTS_FILE, env);
  for (const warning of warnings) logger.warn(warning);
  return pool;
}

export interface AccountsSetup {
  config: Config;
  pool: AccountPool;
  store: GatewayStore;
  /** The run slots every gateway on the store shares (the keys' own), or undefined for one gateway. */
  leases: SharedConcurrency | undefined;
  engine: Engine;
  logger: Logger;
}

export interface GatewayAccounts {
  /** Where runs go and what operators see (the implicit account too). */
  router: AccountRouter;
  /** What the run service places runs with; undefined without ACCOUNTS_FILE (nothing changes then). */
  runs: RunAccounts | undefined;
  /** Starts spares for the account new conversations go to first. */
  prime(): Promise<void>;
}

/**
 * The pool of Claude accounts: its state shared in the store, its run slots counted on the keys'
 * shared leases, and the engine told when an account can no longer answer (its idle processes end)
 * or when another one should get the spares.
 */
export function buildAccounts(setup: AccountsSetup): GatewayAccounts {
  const { config, pool, engine, logger } = setup;
  const router = createAccountRouter({
    pool,
    states: setup.store.accountStates,
    slots: accountSlots({
      ...(setup.leases ? { shared: setup.leases } : {}),
      onReleaseError: (err) => logger.warn({ err }, 'account run slot not released; it expires'),
    }),
    onStoreError: (err) => logger.warn({ err }, 'account states not shared; the last known serve'),
  });
  const followPreferred = (change: AccountChange) => {
    if (change.account && change.status !== 'usable') engine.releaseAccount(change.account.name);
    // With none usable the spares stay set aside: none would be of use.
    if (change.preferred) engine.followAccount(change.preferred);
  };
  const runs = pool.implicit
    ? undefined
    : createRunAccounts({
        router,
        holdMs: config.ACCOUNTS_HOLD_MS,
        slotWaitMs: config.QUEUE_TIMEOUT_MS,
        onChange: (change) => {
          if (change.account) {
            // An account coming back is good news, not something to look into.
            const level = change.status === 'usable' ? 'info' : 'warn';
            logger[level](
              { account: change.account.name, status: change.status },
              `claude account ${change.account.name} is ${change.status}`,
            );
          }
          followPreferred(change);
        },
      });
  return {
    router,
    runs,
    async prime() {
      if (pool.implicit) return;
      const preferred = await router.preferred();
      if (preferred) engine.followAccount(preferred);
    },
  };
}
