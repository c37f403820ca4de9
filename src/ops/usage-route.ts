import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import '../http/context-variables.js';
import { adminRequired, storeUnavailable } from '../contract/auth-errors.js';
import { invalidRequest } from '../contract/errors.js';
import type { AuditLog } from '../contract/ports/audit.js';
import { documented, jsonResponse } from '../http/openapi-route.js';
import { parseUsageRange, UsageRangeError } from '../store/usage-range.js';
import { usageReport } from '../store/usage-report.js';
import { openAIAuthErrors, openAIError } from '../surfaces/openai/openai-error-docs.js';

/** GET /usage?from=&to= — requests, tokens and cost per key and UTC day; admin keys only. */
const usageRoute = createRoute({
  method: 'get',
  path: '/usage',
  summary: 'Usage per key and UTC day (admin keys only)',
  request: {
    query: z.object({
      from: z.string().optional().openapi({
        description: 'YYYY-MM-DD, ISO date-time or Unix seconds; default 30 days before `to`.',
      }),
      to: z.string().optional().openapi({
        description: 'Exclusive end; a date-only value includes that whole day. Default: now.',
      }),
    }),
  },
  responses: {
    200: jsonResponse(
      '`{object:"list", from, to, data:[{key_id, key_name, day, requests, errors, prompt_tokens, completion_tokens, cost_usd}]}`',
    ),
    400: openAIError('Bad `from` or `to`.'),
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
    const rows = await audit.usage(range.from, range.to).catch(() => {
      throw storeUnavailable();
    });
    return c.json(usageReport(rows, range));
  });
  return app;
}
