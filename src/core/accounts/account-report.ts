import type { AccountUsageRow } from '../../contract/ports/audit.js';
import { roundUsd } from '../../util/round-usd.js';
import type { AccountView } from './account-router.js';

/**
 * What operators see of each pooled account (GET /api/v1/accounts, the console, `accounts list`):
 * its state as every gateway shares it, and what it served today (UTC), from the audit log. Never a
 * credential: only what `AccountView` holds and sums of the audit rows.
 */

export interface AccountDay {
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}

export interface AccountReport extends AccountView {
  /** Since 00:00 UTC. */
  today: AccountDay;
}

const DAY_MS = 86_400_000;

/** Where today (UTC) began, in epoch ms: the range `usageByAccount` is asked for. */
export function startOfUtcDay(now: number): number {
  return Math.floor(now / DAY_MS) * DAY_MS;
}

/** Each account's view with its usage of today; `rows` is the audit log's usage since the day began. */
export function accountReport(
  views: readonly AccountView[],
  rows: readonly AccountUsageRow[],
): AccountReport[] {
  return views.map((view) => {
    const today: AccountDay = { requests: 0, errors: 0, promptTokens: 0, completionTokens: 0, costUsd: 0 };
    for (const row of rows) {
      if (row.account !== view.name) continue;
      today.requests += row.requests;
      today.errors += row.errors;
      today.promptTokens += row.promptTokens;
      today.completionTokens += row.completionTokens;
      today.costUsd += row.costUsd;
    }
    today.costUsd = roundUsd(today.costUsd);
    return { ...view, today };
  });
}
