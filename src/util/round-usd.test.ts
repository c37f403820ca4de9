import { describe, expect, it } from 'vitest';
import { formatUsd, roundUsd } from './round-usd.js';

describe('dollar amounts', () => {
  it('round away float noise', () => {
    expect(roundUsd(0.1 + 0.2)).toBe(0.3);
  });

  it('print with the precision they have: cents at least, every digit they carry', () => {
    expect(formatUsd(5)).toBe('$5.00');
    expect(formatUsd(0.0001)).toBe('$0.0001');
    expect(formatUsd(0.1 + 0.2)).toBe('$0.30');
    expect(formatUsd(0.00007000000000000001)).toBe('$0.00007');
    expect(formatUsd(1234.5)).toBe('$1234.50');
    expect(formatUsd(0)).toBe('$0.00');
  });
});
