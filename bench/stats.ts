export interface Summary {
  median: number;
  min: number;
  max: number;
  /** 95th percentile, nearest rank. */
  p95: number;
  n: number;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const n = sorted.length;
  if (n === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, p95: Number.NaN, n };
  const middle = Math.floor(n / 2);
  const median =
    n % 2 === 1
      ? (sorted[middle] as number)
      : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
  const p95 = sorted[Math.min(n - 1, Math.ceil(0.95 * n) - 1)] as number;
  return { median, min: sorted[0] as number, max: sorted[n - 1] as number, p95, n };
}

export function formatSummary(summary: Summary, unit = 'ms'): string {
  if (summary.n === 0) return 'n/a';
  const round = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));
  return `${round(summary.median)} ${unit} (${round(summary.min)}–${round(summary.max)})`;
}

/** A timed turn whose side reported its own part and Claude Code's (see TimedChat.claudeMs). */
interface SplitTurn {
  ok: boolean;
  ttftMs: number;
  claudeMs?: number;
}

/**
 * Time to first token with Claude Code's own part of each turn taken out: what a side adds around
 * Claude Code. Claude Code's part moves by several ms between turns; this figure does not.
 */
export function aroundClaude(turns: readonly SplitTurn[]): Summary {
  return summarize(
    turns.flatMap((turn) => (turn.ok && turn.claudeMs !== undefined ? [turn.ttftMs - turn.claudeMs] : [])),
  );
}
