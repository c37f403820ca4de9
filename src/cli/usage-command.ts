import { parseArgs } from 'node:util';
import type { AuditLog } from '../contract/ports/audit.js';
import { parseUsageRange, UsageRangeError } from '../store/usage-range.js';
import {
  type AccountUsageReport,
  accountUsageReport,
  type UsageReport,
  usageReport,
} from '../store/usage-report.js';
import { type CliIo, table, UsageError } from './cli-io.js';

export const USAGE_USAGE =
  'Usage:\n  claude-gateway usage [--from DATE] [--to DATE] [--by key|account] [--json]   (default: the last 30 days, per key; --json prints what GET /v1/usage returns)';

/** `claude-gateway usage`: requests, tokens and cost per key (or Claude account) and UTC day. */
export async function usageCommand(args: readonly string[], audit: AuditLog, io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      by: { type: 'string', default: 'key' },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.by !== 'key' && values.by !== 'account') {
    throw new UsageError(`--by must be 'key' or 'account', not '${values.by}'`);
  }
  let range: { from: number; to: number };
  try {
    range = parseUsageRange(values.from, values.to);
  } catch (error) {
    if (error instanceof UsageRangeError) throw new UsageError(error.message);
    throw error;
  }
  const report =
    values.by === 'account'
      ? accountUsageReport(await audit.usageByAccount(range.from, range.to), range)
      : usageReport(await audit.usage(range.from, range.to), range);
  if (values.json) {
    io.out(JSON.stringify(report));
    return 0;
  }
  if (report.data.length === 0) {
    io.out('No requests in this period.');
    return 0;
  }
  io.out(table('group_by' in report ? accountRows(report) : keyRows(report)));
  return 0;
}

const cost = (usd: number) => `$${usd.toFixed(4)}`;

function keyRows(report: UsageReport): string[][] {
  return [
    ['DAY', 'KEY', 'NAME', 'REQUESTS', 'ERRORS', 'PROMPT', 'COMPLETION', 'COST'],
    ...report.data.map((row) => [
      row.day,
      row.key_id,
      row.key_name ?? '-',
      String(row.requests),
      String(row.errors),
      String(row.prompt_tokens),
      String(row.completion_tokens),
      cost(row.cost_usd),
    ]),
  ];
}

function accountRows(report: AccountUsageReport): string[][] {
  return [
    ['DAY', 'ACCOUNT', 'REQUESTS', 'ERRORS', 'PROMPT', 'COMPLETION', 'COST'],
    ...report.data.map((row) => [
      row.day,
      row.account ?? '-',
      String(row.requests),
      String(row.errors),
      String(row.prompt_tokens),
      String(row.completion_tokens),
      cost(row.cost_usd),
    ]),
  ];
}
