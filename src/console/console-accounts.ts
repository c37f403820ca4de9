import type { OpenAPIHono } from '@hono/zod-openapi';
import { invalidRequest } from '../contract/errors.js';
import { GatewayError } from '../contract/gateway-error.js';
import type { AccountUsageRow } from '../contract/ports/audit.js';
import type { AccountReport } from '../core/accounts/account-report.js';
import { documented } from '../http/openapi-route.js';
import { parseUsageRange, UsageRangeError } from '../store/usage-range.js';
import { roundUsd } from '../util/round-usd.js';
import * as docs from './console-route-docs.js';

/** What the console's Accounts page reads and changes: the pooled accounts, never a credential. */
export interface ConsoleAccounts {
  /** Each account's state, as every gateway on the store sees it, and what it served today. */
  report(): Promise<AccountReport[]>;
  /** Requests, tokens and cost per account and UTC day in `[from, to)`. */
  usage(from: number, to: number): Promise<AccountUsageRow[]>;
  /** An operator clears an account (usable again everywhere); false: no such account. */
  clear(name: string): Promise<boolean>;
}

/** The Accounts page's JSON API, on the console's signed-in API app (changes need its CSRF token). */
export function registerAccountRoutes(api: OpenAPIHono, accounts: ConsoleAccounts): void {
  api.get(documented(api, docs.listAccounts), async (c) => c.json({ accounts: await accounts.report() }));
  api.get(documented(api, docs.accountUsage), async (c) => {
    let range: { from: number; to: number };
    try {
      range = parseUsageRange(c.req.query('from'), c.req.query('to'));
    } catch (error) {
      if (error instanceof UsageRangeError) throw invalidRequest(error.message, error.param);
      throw error;
    }
    const rows = await accounts.usage(range.from, range.to);
    return c.json({
      from: range.from,
      to: range.to,
      rows: rows.map((row) => ({ ...row, costUsd: roundUsd(row.costUsd) })),
    });
  });
  api.post(documented(api, docs.clearAccount), async (c) => {
    const name = c.req.param('name');
    if (!(await accounts.clear(name))) {
      throw new GatewayError({
        kind: 'not_found',
        status: 404,
        code: 'not_found',
        message: 'No Claude account of that name.',
      });
    }
    return c.json({ name, cleared: true });
  });
}
