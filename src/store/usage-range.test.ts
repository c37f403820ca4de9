import { describe, expect, it } from 'vitest';
import { parseUsageRange, UsageRangeError } from './usage-range.js';

const now = Date.UTC(2026, 5, 15, 10);

describe('parseUsageRange', () => {
  it('defaults to the last 30 days', () => {
    expect(parseUsageRange(undefined, undefined, now)).toEqual({ from: now - 30 * 86_400_000, to: now });
  });

  it('reads dates as UTC days, a date-only `to` including that whole day', () => {
    expect(parseUsageRange('2026-06-01', '2026-06-02', now)).toEqual({
      from: Date.UTC(2026, 5, 1),
      to: Date.UTC(2026, 5, 3),
    });
  });

  it('reads ISO date-times and Unix seconds', () => {
    expect(parseUsageRange('1780000000', '2026-06-10T12:00:00Z', now)).toEqual({
      from: 1_780_000_000_000,
      to: Date.UTC(2026, 5, 10, 12),
    });
  });

  it('names the bad parameter', () => {
    expect(() => parseUsageRange('yesterday', undefined, now)).toThrow(UsageRangeError);
    try {
      parseUsageRange(undefined, 'soon', now);
    } catch (error) {
      expect((error as UsageRangeError).param).toBe('to');
    }
    expect(() => parseUsageRange('2026-06-05', '2026-06-01', now)).toThrow(/before/);
  });
});
