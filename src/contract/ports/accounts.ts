import type { AccountState } from '../accounts.js';

/**
 * Account states every gateway on a database shares, so none tries an account another found spent.
 * Keyed by account name; an account never recorded is usable.
 */
export interface AccountStateStore {
  /** Every recorded state, by account name. */
  list(): Promise<ReadonlyMap<string, AccountState>>;
  /**
   * Applies `transition` to the account's stored state (undefined when none) and stores its result,
   * atomically: concurrent updates from several gateways are applied one after the other.
   */
  update(
    name: string,
    transition: (previous: AccountState | undefined) => AccountState,
  ): Promise<AccountState>;
  /** Forgets the account's state (an operator clearing it): it is usable again. */
  clear(name: string): Promise<void>;
}
