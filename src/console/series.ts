/**
 * Pure aggregation of audit rows into what the overview charts show: per-minute buckets of
 * requests, errors, refusals, cost and time-to-first-token percentiles.
 */

/**
 * A 429 is the gateway or Claude saying "not now" (a key's rpm or concurrency, a full queue, an
 * upstream rate limit): a limit doing its job, counted apart from errors so the error rate shows
 * what failed.
 */
export function isRefusal(status: number): boolean {
  return status === 429;
}

function isError(status: number): boolean {
  return status >= 400 && !isRefusal(status);
}
export interface RequestPoint {
  /** Epoch ms the request was recorded. */
  at: number;
  status: number;
  costUsd: number;
  timeToFirstChunkMs: number | null;
}

export interface SeriesBucket {
  /** Bucket start, epoch ms. */
  at: number;
  requests: number;
  /** Failed requests, refusals (429) not included. */
  errors: number;
  /** Requests refused by a limit (429). */
  refused: number;
  costUsd: number;
  ttftP50Ms: number | null;
  ttftP95Ms: number | null;
}

export interface OverviewTotals {
  requests: number;
  errors: number;
  refused: number;
  errorRate: number;
  refusedRate: number;
  costUsd: number;
  ttftP50Ms: number | null;
  ttftP95Ms: number | null;
}

/** Buckets `[from, to)` into `bucketMs` slices; empty slices are kept so charts show the gaps. */
export function bucketRequests(
  points: readonly RequestPoint[],
  range: { from: number; to: number },
  bucketMs: number,
): SeriesBucket[] {
  const count = Math.max(1, Math.ceil((range.to - range.from) / bucketMs));
  const slices = Array.from({ length: count }, () => ({
    requests: 0,
    errors: 0,
    refused: 0,
    costUsd: 0,
    ttfts: [] as number[],
  }));
  for (const point of points) {
    const index = Math.floor((point.at - range.from) / bucketMs);
    const slice = slices[index];
    if (!slice) continue;
    slice.requests++;
    if (isError(point.status)) slice.errors++;
    if (isRefusal(point.status)) slice.refused++;
    slice.costUsd += point.costUsd;
    if (point.timeToFirstChunkMs !== null) slice.ttfts.push(point.timeToFirstChunkMs);
  }
  return slices.map((slice, index) => {
    const sorted = slice.ttfts.sort((a, b) => a - b);
    return {
      at: range.from + index * bucketMs,
      requests: slice.requests,
      errors: slice.errors,
      refused: slice.refused,
      costUsd: roundUsd(slice.costUsd),
      ttftP50Ms: percentile(sorted, 0.5),
      ttftP95Ms: percentile(sorted, 0.95),
    };
  });
}

export function totalsOf(points: readonly RequestPoint[]): OverviewTotals {
  const ttfts = points.flatMap((p) => (p.timeToFirstChunkMs === null ? [] : [p.timeToFirstChunkMs]));
  ttfts.sort((a, b) => a - b);
  const errors = points.filter((p) => isError(p.status)).length;
  const refused = points.filter((p) => isRefusal(p.status)).length;
  const rate = (n: number) => (points.length === 0 ? 0 : n / points.length);
  return {
    requests: points.length,
    errors,
    refused,
    errorRate: rate(errors),
    refusedRate: rate(refused),
    costUsd: roundUsd(points.reduce((sum, p) => sum + p.costUsd, 0)),
    ttftP50Ms: percentile(ttfts, 0.5),
    ttftP95Ms: percentile(ttfts, 0.95),
  };
}

/** Nearest-rank percentile of an ascending list; null for an empty one. */
export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(p * sorted.length)));
  return sorted[rank - 1] ?? null;
}

/** Costs are summed floats: round to a millionth of a dollar so the page never shows float noise. */
export function roundUsd(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
