import type { UsageRow } from '../contract/ports/audit.js';
import { roundUsd } from './series.js';

/** Usage rows as CSV (RFC 4180 quoting), one row per key and day, for spreadsheets. */
export function usageCsv(rows: readonly UsageRow[]): string {
  const header = [
    'day',
    'key_id',
    'key_name',
    'requests',
    'errors',
    'prompt_tokens',
    'completion_tokens',
    'cost_usd',
  ];
  const lines = rows.map((row) =>
    [
      row.day,
      row.keyId,
      row.keyName ?? '',
      row.requests,
      row.errors,
      row.promptTokens,
      row.completionTokens,
      roundUsd(row.costUsd),
    ]
      .map(csvField)
      .join(','),
  );
  return `${[header.join(','), ...lines].join('\r\n')}\r\n`;
}

function csvField(value: string | number): string {
  const text = String(value);
  // A leading =, +, - or @ would be a formula in a spreadsheet: quote it with a leading apostrophe.
  const safe = /^[=+\-@]/.test(text) && typeof value === 'string' ? `'${text}` : text;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}
