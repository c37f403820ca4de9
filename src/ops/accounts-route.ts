import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import '../http/context-variables.js';
import { adminRequired, storeUnavailable } from '../contract/auth-errors.js';
import { GatewayError } from '../contract/gateway-error.js';
import type { AccountUsageRow } from '../contract/ports/audit.js';
import { type AccountReport, accountReport, startOfUtcDay } from '../core/accounts/account-report.js';
import type { AccountRouter } from '../core/accounts/account-router.js';
import { documented, jsonResponse, pathParams } from '../http/openapi-route.js';
import { nativeErrorSchema } from '../surfaces/native/route-docs.js';

/**
 * GET /api/v1/accounts and POST /api/v1/accounts/{name}/clear: the pooled Claude accounts for
 * operators (admin keys only), in the native API's style. Never a credential.
 */

export interface AccountsRouteDeps {
  router: AccountRouter;
  /** The audit log's usage per account since `from` (today's requests, tokens and cost). */
  usageSince(from: number): Promise<AccountUsageRow[]>;
  now?: () => number;
}

const accountSchema = z
  .object({
    name: z.string(),
    kind: z.enum(['api-key', 'subscription', 'bedrock', 'vertex', 'config-dir', 'other']),
    status: z.enum(['usable', 'limited', 'unauthorized', 'failing']),
    resetsAt: z.string().nullable().openapi({
      format: 'date-time',
      description: 'When a limit or backoff lifts; for a usable subscription, when its usage window resets.',
    }),
    utilization: z
      .number()
      .nullable()
      .openapi({ description: "Share of the subscription's window spent (0-1)." }),
    running: z.number().int().openapi({ description: 'Runs on it now, on every gateway sharing the store.' }),
    lastErrorCode: z.string().nullable(),
    priority: z.number().nullable(),
    maxConcurrency: z.number().nullable(),
    today: z.object({
      requests: z.number().int(),
      errors: z.number().int(),
      promptTokens: z.number().int(),
      completionTokens: z.number().int(),
      costUsd: z.number(),
    }),
  })
  .openapi('ClaudeAccount');

const error = (description: string) => jsonResponse(description, nativeErrorSchema);
const adminErrors = {
  401: error('MISSING_API_KEY or INVALID_API_KEY.'),
  403: error('FORBIDDEN: an admin key is needed (`details.reason`: `admin_required`).'),
};

const listAccounts = createRoute({
  method: 'get',
  path: '/api/v1/accounts',
  summary: 'The pooled Claude accounts and their state (admin keys only)',
  tags: ['accounts'],
  responses: {
    200: jsonResponse(
      '`{object:"list", strategy, data:[account]}` in ACCOUNTS_FILE order (without one: the gateway’s own, `default`).',
      z.object({ object: z.literal('list'), strategy: z.string(), data: z.array(accountSchema) }),
    ),
    ...adminErrors,
    503: error('SERVICE_UNAVAILABLE: the store cannot be read.'),
  },
});

const clearAccount = createRoute({
  method: 'post',
  path: '/api/v1/accounts/{name}/clear',
  summary: 'Clear an account that is limited, failing or unauthorized, on every gateway (admin keys only)',
  tags: ['accounts'],
  request: { params: pathParams({ name: 'The account name (ACCOUNTS_FILE).' }) },
  responses: {
    200: jsonResponse('The account as it is now: usable.', accountSchema),
    ...adminErrors,
    404: error('NOT_FOUND: no account of that name.'),
    503: error('SERVICE_UNAVAILABLE: the store cannot be written.'),
  },
});

export function accountsRoutes(deps: AccountsRouteDeps) {
  const now = deps.now ?? Date.now;
  const app = new OpenAPIHono();
  const report = async (): Promise<AccountReport[]> => {
    const [views, rows] = await Promise.all([
      deps.router.view(),
      deps.usageSince(startOfUtcDay(now())).catch(() => {
        throw storeUnavailable();
      }),
    ]);
    return accountReport(views, rows);
  };

  app.get(documented(app, listAccounts), async (c) => {
    if (!c.get('principal')?.admin) throw adminRequired();
    return c.json({ object: 'list', strategy: deps.router.pool.strategy, data: await report() });
  });

  app.post(documented(app, clearAccount), async (c) => {
    if (!c.get('principal')?.admin) throw adminRequired();
    const name = c.req.param('name');
    const cleared = await deps.router.clear(name).catch(() => {
      throw storeUnavailable();
    });
    if (!cleared) {
      throw new GatewayError({
        kind: 'not_found',
        status: 404,
        code: 'account_not_found',
        message: 'No Claude account of that name.',
      });
    }
    const account = (await report()).find((entry) => entry.name === name);
    return c.json(account);
  });
  return app;
}
