import { describe, expect, it } from 'vitest';
import { bucketRequests, percentile, roundUsd, totalsOf } from './series.js';

describe('overview series', () => {
  const from = 1_700_000_000_000;
  const points = [
    { at: from + 1_000, status: 200, costUsd: 0.1, timeToFirstChunkMs: 100 },
    { at: from + 2_000, status: 500, costUsd: 0.2, timeToFirstChunkMs: null },
    { at: from + 61_000, status: 200, costUsd: 0.3, timeToFirstChunkMs: 300 },
    { at: from + 200_000, status: 200, costUsd: 1, timeToFirstChunkMs: 5 },
  ];

  it('buckets per minute, keeps empty minutes and drops points outside the range', () => {
    const buckets = bucketRequests(points, { from, to: from + 180_000 }, 60_000);
    expect(buckets.map((b) => b.requests)).toEqual([2, 1, 0]);
    expect(buckets[0]).toMatchObject({ at: from, errors: 1, costUsd: 0.3, ttftP50Ms: 100, ttftP95Ms: 100 });
    expect(buckets[2]).toMatchObject({ ttftP50Ms: null, costUsd: 0 });
  });

  it('totals: error rate and percentiles over known TTFTs only', () => {
    expect(totalsOf(points)).toEqual({
      requests: 4,
      errors: 1,
      refused: 0,
      errorRate: 0.25,
      refusedRate: 0,
      costUsd: 1.6,
      ttftP50Ms: 100,
      ttftP95Ms: 300,
    });
    expect(totalsOf([])).toMatchObject({ requests: 0, errorRate: 0, ttftP50Ms: null });
  });

  it('counts 429 refusals apart from errors', () => {
    const limited = [
      { at: from + 1_000, status: 429, costUsd: 0, timeToFirstChunkMs: null },
      { at: from + 2_000, status: 429, costUsd: 0, timeToFirstChunkMs: null },
      { at: from + 3_000, status: 400, costUsd: 0, timeToFirstChunkMs: null },
      { at: from + 4_000, status: 200, costUsd: 0, timeToFirstChunkMs: 10 },
    ];
    expect(totalsOf(limited)).toMatchObject({
      requests: 4,
      errors: 1,
      refused: 2,
      errorRate: 0.25,
      refusedRate: 0.5,
    });
    expect(bucketRequests(limited, { from, to: from + 60_000 }, 60_000)).toMatchObject([
      { requests: 4, errors: 1, refused: 2 },
    ]);
  });

  it('nearest-rank percentiles and cost rounding', () => {
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95)).toBe(10);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.5)).toBe(5);
    expect(roundUsd(0.000052300000000000004)).toBe(0.000052);
  });
});
