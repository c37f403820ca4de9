import type { Surface } from '../http/surface.js';
import { describeStoreLocation, type StoreLocation } from '../store/engine.js';

/** One Claude account the gateway runs Claude Code under, as the start-up line names it. */
export interface AccountSummary {
  /** Its name and kind (a pooled account), or where its credentials come from; never the credentials. */
  label: string;
}

export interface StartupFacts {
  store: StoreLocation;
  accounts: readonly AccountSummary[];
  surfaces: readonly Surface[];
}

/** What an operator wants to see once at start: where state lives, which accounts, which APIs. */
export function startupSummary(facts: StartupFacts) {
  return {
    store: describeStoreLocation(facts.store),
    accounts: facts.accounts.length,
    accountSources: facts.accounts.map((account) => account.label),
    surfaces: facts.surfaces.filter((surface) => surface.listed !== false).map((surface) => surface.name),
  };
}
