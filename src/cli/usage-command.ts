import { parseArgs } from 'node:util';
import type { AuditLog } from '../contract/ports/audit.js';
import { parseUsageRange, UsageRangeError } from '../store/usage-range.js';
import { usageReport } from '../store/usage-report.js';
import { type CliIo, table, UsageError } from './cli-io.js';

export const USAGE_USAGE =
  'Usage:\n  claude-gateway usage [--from DATE] [--to DATE] [--json]   (default: the last 30 days; --json prints what GET /v1/usage returns)';

/** `claude-gateway usage`: requests, tokens and cost per key and UTC day. */
export async function usageCommand(args: readonly string[], audit: AuditLog, io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  let range: { from: number; to: number };
  try {
    range = parseUsageRange(values.from, values.to);
  } catch (error) {
    if (error instanceof UsageRangeError) throw new UsageError(error.message);
    throw error;
  }
  const rows = await audit.usage(range.from, range.to);
  if (values.json) {
    io.out(JSON.stringify(usageReport(rows, range)));
    return 0;
  }
  if (rows.length === 0) {
    io.out('No requests in this period.');
    return 0;
  }
  io.out(
    table([
      ['DAY', 'KEY', 'NAME', 'REQUESTS', 'ERRORS', 'PROMPT', 'COMPLETION', 'COST'],
      ...rows.map((row) => [
        row.day,
        row.keyId,
        row.keyName ?? '-',
        String(row.requests),
        String(row.errors),
        String(row.promptTokens),
        String(row.completionTokens),
        `$${row.costUsd.toFixed(4)}`,
      ]),
    ]),
  );
  return 0;
}
