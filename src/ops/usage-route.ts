import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import '../http/context-variables.js';
import { adminRequired, storeUnavailable } from '../contract/auth-errors.js';
import { invalidRequest } from '../contract/errors.js';
import type { AuditLog } from '../contract/ports/audit.js';
import { documented, jsonResponse } from '../http/openapi-route.js';
import { parseUsageRange, UsageRangeError } from '../store/usage-range.js';
import { accountUsageReport, usageReport } from '../store/usage-report.js';
import { openAIAuthErrors, openAIError } from '../surfaces/openai/openai-error-docs.js';

/** GET /usage?from=&to=&group_by= — requests, tokens and cost per key (or Claude account) and UTC day; admin keys only. */
const usageRoute = createRoute({
  method: 'get',
  path: '/usage',
  summary: 'Usage per key or Claude account and UTC day (admin keys only)',
  request: {
    query: z.object({
      from: z.string().optional().openapi({
        description: 'YYYY-MM-DD, ISO date-time or Unix seconds; default 30 days before `to`.',
      }),
      to: z.string().optional().openapi({
        description: 'Exclusive end; a date-only value includes that whole day. Default: now.',
      }),
      group_by: z.string().optional().openapi({
        description: '`key` (default) or `account`: one row per Claude account (ACCOUNTS_FILE name) and day.',
      }),
    }),
  },
  responses: {
    200: jsonResponse(
      '`{object:"list", from, to, data:[{key_id, key_name, day, requests, errors, prompt_tokens, completion_tokens, cost_usd}]}`; with `group_by=account`, `group_by:"account"` and `account` in place of `key_id`, `key_name`.',
    ),
    400: openAIError('Bad `from`, `to` or `group_by`.'),
    ...openAIAuthErrors,
    503: openAIError('The store cannot be read.'),
  },
});

export function usageRoutes(audit: AuditLog) {
  const app = new OpenAPIHono();
  app.get(documented(app, usageRoute), async (c) => {
    if (!c.get('principal')?.admin) throw adminRequired();
    const range = (() => {
      try {
        return parseUsageRange(c.req.query('from'), c.req.query('to'));
      } catch (error) {
        if (error instanceof UsageRangeError) throw invalidRequest(error.message, error.param);
        throw error;
      }
    })();
    const groupBy = c.req.query('group_by') ?? 'key';
    if (groupBy !== 'key' && groupBy !== 'account') {
      throw invalidRequest("`group_by` must be 'key' or 'account'.", 'group_by');
    }
    const unavailable = () => {
      throw storeUnavailable();
    };
    if (groupBy === 'account') {
      const rows = await audit.usageByAccount(range.from, range.to).catch(unavailable);
      return c.json(accountUsageReport(rows, range));
    }
    const rows = await audit.usage(range.from, range.to).catch(unavailable);
    return c.json(usageReport(rows, range));
  });
  return app;
}
