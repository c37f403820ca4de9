import type { AccountUsageRow, UsageRow } from '../contract/ports/audit.js';
import { roundUsd } from '../util/round-usd.js';

/** One row of a usage report as every client reads it: snake_case, the HTTP API's wire names. */
export interface UsageRowJson {
  key_id: string;
  key_name: string | null;
  day: string;
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
}

export interface UsageReport {
  object: 'list';
  from: string;
  to: string;
  data: UsageRowJson[];
}

/** One row of a usage report per Claude account (`group_by=account`, `usage --by account`). */
export interface AccountUsageRowJson {
  /** Null for requests that ran no Claude Code. */
  account: string | null;
  day: string;
  requests: number;
  errors: number;
  prompt_tokens: number;
  completion_tokens: number;
  cost_usd: number;
}

export interface AccountUsageReport {
  object: 'list';
  from: string;
  to: string;
  group_by: 'account';
  data: AccountUsageRowJson[];
}

/**
 * The body of `GET /v1/usage` and the output of `claude-gateway usage --json`: one shape, so a script
 * can switch between them.
 */
export function usageReport(rows: readonly UsageRow[], range: { from: number; to: number }): UsageReport {
  return {
    object: 'list',
    from: new Date(range.from).toISOString(),
    to: new Date(range.to).toISOString(),
    data: rows.map((row) => ({
      key_id: row.keyId,
      key_name: row.keyName,
      day: row.day,
      requests: row.requests,
      errors: row.errors,
      prompt_tokens: row.promptTokens,
      completion_tokens: row.completionTokens,
      cost_usd: roundUsd(row.costUsd),
    })),
  };
}

/** The body of `GET /v1/usage?group_by=account` and of `claude-gateway usage --by account --json`. */
export function accountUsageReport(
  rows: readonly AccountUsageRow[],
  range: { from: number; to: number },
): AccountUsageReport {
  return {
    object: 'list',
    from: new Date(range.from).toISOString(),
    to: new Date(range.to).toISOString(),
    group_by: 'account',
    data: rows.map((row) => ({
      account: row.account,
      day: row.day,
      requests: row.requests,
      errors: row.errors,
      prompt_tokens: row.promptTokens,
      completion_tokens: row.completionTokens,
      cost_usd: roundUsd(row.costUsd),
    })),
  };
}
