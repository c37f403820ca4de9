import type { BudgetPeriod } from '../../contract/key-policy.js';

const DAY_MS = 86_400_000;

/** When the UTC period holding `now` began: midnight, the Monday of an ISO week, the 1st of the month. */
export function periodStart(period: BudgetPeriod, now: number): number {
  const date = new Date(now);
  const midnight = Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate());
  switch (period) {
    case 'day':
      return midnight;
    case 'week':
      // getUTCDay: Sunday 0 ... Saturday 6; days since Monday.
      return midnight - ((date.getUTCDay() + 6) % 7) * DAY_MS;
    case 'month':
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1);
  }
}

/** When the period after the one holding `now` begins: when a spent periodic budget is whole again. */
export function nextPeriodStart(period: BudgetPeriod, now: number): number {
  const start = periodStart(period, now);
  switch (period) {
    case 'day':
      return start + DAY_MS;
    case 'week':
      return start + 7 * DAY_MS;
    case 'month': {
      const date = new Date(start);
      return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1);
    }
  }
}
