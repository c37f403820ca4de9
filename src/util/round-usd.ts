/**
 * Sums of float costs carry binary noise (0.1 + 0.2 = 0.30000000000000004); reports round it away.
 * Ten decimals keep every cost Claude Code reports exact (one token costs at least $1e-7).
 */
export function roundUsd(usd: number): number {
  return Number(usd.toFixed(10));
}
