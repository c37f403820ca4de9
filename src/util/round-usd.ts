/**
 * Sums of float costs carry binary noise (0.1 + 0.2 = 0.30000000000000004); reports round it away.
 * Ten decimals keep every cost Claude Code reports exact (one token costs at least $1e-7).
 */
export function roundUsd(usd: number): number {
  return Number(usd.toFixed(10));
}

/**
 * A dollar amount with the precision it has and no float noise: cents at least, more digits only
 * when the amount has them (`$5.00`, `$0.0001`, `$0.30` for 0.1 + 0.2).
 */
export function formatUsd(usd: number): string {
  const [whole, fraction = ''] = roundUsd(usd).toFixed(10).replace(/0+$/, '').split('.');
  return `$${whole}.${fraction.padEnd(2, '0')}`;
}
