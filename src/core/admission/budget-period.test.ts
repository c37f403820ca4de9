import { describe, expect, it } from 'vitest';
import { nextPeriodStart, periodStart } from './budget-period.js';

const at = (iso: string) => Date.parse(iso);
const iso = (ms: number) => new Date(ms).toISOString();

describe('budget periods (UTC calendar)', () => {
  // A Wednesday late in the day, in a month of 31 days.
  const now = at('2026-12-30T23:59:59.999Z');

  it('start at midnight, on Monday, on the 1st', () => {
    expect(iso(periodStart('day', now))).toBe('2026-12-30T00:00:00.000Z');
    expect(iso(periodStart('week', now))).toBe('2026-12-28T00:00:00.000Z');
    expect(iso(periodStart('month', now))).toBe('2026-12-01T00:00:00.000Z');
  });

  it('renew at the next midnight, Monday and 1st, across a year end', () => {
    expect(iso(nextPeriodStart('day', now))).toBe('2026-12-31T00:00:00.000Z');
    expect(iso(nextPeriodStart('week', now))).toBe('2027-01-04T00:00:00.000Z');
    expect(iso(nextPeriodStart('month', now))).toBe('2027-01-01T00:00:00.000Z');
  });

  it('counts a Sunday in the week that began the Monday before, and a period start in its own period', () => {
    expect(iso(periodStart('week', at('2027-01-03T12:00:00Z')))).toBe('2026-12-28T00:00:00.000Z');
    expect(iso(periodStart('week', at('2027-01-04T00:00:00Z')))).toBe('2027-01-04T00:00:00.000Z');
    expect(iso(periodStart('month', at('2027-03-01T00:00:00Z')))).toBe('2027-03-01T00:00:00.000Z');
  });
});
