import { Hono } from 'hono';
import '../auth/context-variables.js';
import { adminRequired } from '../auth/auth-errors.js';
import { invalidRequest } from '../core/errors.js';
import type { AuditLog } from '../store/audit-log.js';
import { parseUsageRange, UsageRangeError } from '../store/usage-range.js';
import { usageReport } from '../store/usage-report.js';

/** GET /usage?from=&to= — requests, tokens and cost per key and UTC day; admin keys only. */
export function usageRoutes(audit: AuditLog) {
  return new Hono().get('/usage', (c) => {
    if (!c.get('principal')?.admin) throw adminRequired();
    const range = (() => {
      try {
        return parseUsageRange(c.req.query('from'), c.req.query('to'));
      } catch (error) {
        if (error instanceof UsageRangeError) throw invalidRequest(error.message, error.param);
        throw error;
      }
    })();
    return c.json(usageReport(audit.usage(range.from, range.to), range));
  });
}
