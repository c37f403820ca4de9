const DAY_MS = 86_400_000;
const DEFAULT_DAYS = 30;
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

export interface UsageRange {
  /** Inclusive, epoch ms. */
  from: number;
  /** Exclusive, epoch ms. */
  to: number;
}

export class UsageRangeError extends Error {
  constructor(
    readonly param: 'from' | 'to',
    message: string,
  ) {
    super(message);
  }
}

/**
 * `from`/`to` as `YYYY-MM-DD` (UTC; a date-only `to` includes that whole day), an ISO date-time,
 * or Unix seconds. Defaults: the last 30 days up to now.
 */
export function parseUsageRange(
  from: string | undefined,
  to: string | undefined,
  now = Date.now(),
): UsageRange {
  const end = to ? parseInstant(to, 'to', true) : now;
  const start = from ? parseInstant(from, 'from', false) : end - DEFAULT_DAYS * DAY_MS;
  if (start >= end) throw new UsageRangeError('from', "'from' must be before 'to'.");
  return { from: start, to: end };
}

function parseInstant(value: string, param: 'from' | 'to', endOfDay: boolean): number {
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const ms = Date.parse(DATE_ONLY.test(trimmed) ? `${trimmed}T00:00:00Z` : trimmed);
  if (Number.isNaN(ms)) {
    throw new UsageRangeError(
      param,
      `'${param}' must be a date (YYYY-MM-DD), an ISO date-time or Unix seconds.`,
    );
  }
  return DATE_ONLY.test(trimmed) && endOfDay ? ms + DAY_MS : ms;
}
