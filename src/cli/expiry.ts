import { UsageError } from './cli-io.js';

const UNIT_MS: Record<string, number> = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 };

/**
 * When a key given `--expires` stops working: a span from now (`12h`, `30d`, `8w`) or an instant
 * (`2027-01-31`, midnight UTC, or `2027-01-31T18:00:00Z`). An instant already past is refused.
 */
export function parseExpiry(text: string, now: number): number {
  const span = /^(\d+)([hdw])$/.exec(text);
  const at = span ? now + Number(span[1]) * (UNIT_MS[span[2] ?? ''] ?? 0) : instant(text);
  if (at === undefined) {
    throw new UsageError(
      `--expires takes a span (12h, 30d, 8w), a date (2027-01-31) or never; got '${text}'.`,
    );
  }
  if (at <= now) throw new UsageError(`--expires ${text} is not in the future.`);
  return at;
}

function instant(text: string): number | undefined {
  // Only a full date or an ISO date-time: Date.parse also takes forms that differ by runtime.
  if (!/^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:\d{2}))?$/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : at;
}
