import type { ChartConfiguration } from 'chart.js';
import { PALETTE } from './chart.js';
import { clock } from './format.js';

export interface Bucket {
  at: number;
  requests: number;
  /** Failed requests; refusals (429) are counted apart. */
  errors: number;
  /** Requests a limit refused (429): the rpm or concurrency of a key, a full queue, Claude's rate limit. */
  refused: number;
  costUsd: number;
  ttftP50Ms: number | null;
  ttftP95Ms: number | null;
}

// One wide bar per bucket (stacked, no gap between categories) so a day of them stays readable.
const BARS = { categoryPercentage: 1, barPercentage: 0.85 } as const;
const STACKED = { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } };
const percentOf = (part: number, whole: number) => (whole ? (100 * part) / whole : 0);

/** The Overview's four charts over one window's buckets, titled by bucket size. */
export function overviewCharts(
  series: readonly Bucket[],
  bucketMs: number,
): Array<[string, ChartConfiguration]> {
  const labels = series.map((bucket) => clock(bucket.at));
  const per = bucketMs <= 60_000 ? 'minute' : 'hour';
  return [
    [
      `Requests per ${per}`,
      {
        type: 'bar',
        data: {
          labels,
          datasets: [
            {
              label: 'answered',
              data: series.map((b) => b.requests - b.errors - b.refused),
              backgroundColor: PALETTE[0],
              ...BARS,
            },
            { label: 'errors', data: series.map((b) => b.errors), backgroundColor: PALETTE[3], ...BARS },
            {
              label: 'refused (429)',
              data: series.map((b) => b.refused),
              backgroundColor: PALETTE[1],
              ...BARS,
            },
          ],
        },
        options: STACKED,
      },
    ],
    [
      'Errors and refusals (% of requests)',
      {
        type: 'line',
        data: {
          labels,
          datasets: [
            {
              label: 'errors',
              data: series.map((b) => percentOf(b.errors, b.requests)),
              borderColor: PALETTE[3],
            },
            {
              label: 'refused (429)',
              data: series.map((b) => percentOf(b.refused, b.requests)),
              borderColor: PALETTE[1],
            },
          ],
        },
      },
    ],
    [
      'Time to first token (ms)',
      {
        type: 'line',
        data: {
          labels,
          datasets: [
            { label: 'p50', data: series.map((b) => b.ttftP50Ms), borderColor: PALETTE[0], spanGaps: true },
            { label: 'p95', data: series.map((b) => b.ttftP95Ms), borderColor: PALETTE[1], spanGaps: true },
          ],
        },
      },
    ],
    [
      'Cost (USD)',
      {
        type: 'bar',
        data: {
          labels,
          datasets: [
            { label: 'cost', data: series.map((b) => b.costUsd), backgroundColor: PALETTE[2], ...BARS },
          ],
        },
      },
    ],
  ];
}
