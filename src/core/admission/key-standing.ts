import type { ApiKeyRecord, KeyStore } from '../../contract/ports/keys.js';
import { periodStart } from './budget-period.js';

/** What a key is now, as a list shows it: the first that applies of revoked, expired, over budget. */
export type KeyState = 'active' | 'over budget' | 'expired' | 'revoked';

export interface KeyStanding {
  state: KeyState;
  /** The spend counted against the budget: this period's for a periodic budget, else all of it. */
  budgetSpentUsd: number;
}

export async function keyStanding(
  keys: Pick<KeyStore, 'spentSince'>,
  record: ApiKeyRecord,
  now: number,
): Promise<KeyStanding> {
  const { budgetUsd, budgetPeriod } = record.policy;
  const budgetSpentUsd =
    budgetUsd !== undefined && budgetPeriod !== undefined
      ? await keys.spentSince(record.id, periodStart(budgetPeriod, now))
      : record.spentUsd;
  return { state: stateOf(record, budgetSpentUsd, now), budgetSpentUsd };
}

function stateOf(record: ApiKeyRecord, budgetSpentUsd: number, now: number): KeyState {
  if (record.revokedAt !== null) return 'revoked';
  if (record.expiresAt !== null && record.expiresAt <= now) return 'expired';
  const { budgetUsd } = record.policy;
  if (budgetUsd !== undefined && budgetSpentUsd >= budgetUsd) return 'over budget';
  return 'active';
}
