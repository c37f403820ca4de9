import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { OpenAPIHono } from '@hono/zod-openapi';
import { invalidRequest } from '../contract/errors.js';
import { GatewayError } from '../contract/gateway-error.js';
import type { Principal } from '../contract/key-policy.js';
import type { AuditEntry } from '../contract/ports/audit.js';
import type { AuthResult } from '../core/authenticator.js';
import { documented } from '../http/openapi-route.js';
import { writeSse } from '../http/sse.js';
import { validateJson } from '../http/validate-json.js';
import { parseUsageRange, UsageRangeError } from '../store/usage-range.js';
import {
  CSRF_HEADER,
  clearSessionCookie,
  pruneRevoked,
  requireConsoleSession,
  SESSION_COOKIE,
  setSessionCookie,
} from './console-auth.js';
import type { ConsoleData } from './console-data.js';
import * as docs from './console-route-docs.js';
import { faviconIco } from './favicon.js';
import { type PlaygroundSurface, playgroundRequest, playgroundSchema } from './playground.js';
import { bucketRequests, roundUsd, totalsOf } from './series.js';
import type { SessionTokens } from './session-token.js';
import { pathPrefixesOf, surfaceOfPath } from './surface-of-path.js';
import { usageCsv } from './usage-csv.js';

/** What runs right now, pushed to the Overview page. */
export interface LiveStats {
  running: number;
  waiting: number;
  processes: number;
  warmSpares: number;
  hotConversations: number;
}

export interface ConsoleDeps {
  data: ConsoleData;
  tokens: SessionTokens;
  /** Async: keys may live in a shared database. */
  authenticate(presentedKey: string): Promise<AuthResult>;
  /** The environment's admin key is set (GATEWAY_ADMIN_KEY). */
  envAdminKey: boolean;
  live(): LiveStats;
  models: readonly string[];
  /** Surfaces the playground may use (those this gateway serves). */
  playgroundSurfaces: readonly PlaygroundSurface[];
  /** Sends a request through the gateway's own API, in process, as the signed-in admin. */
  fetchApi(request: Request, principal: Principal): Promise<Response>;
  /** Cancels a running agentic task; false when it is not running here. */
  cancelTask(taskId: string): Promise<boolean>;
  /** Directory holding the built console bundle (app.js, app.css). */
  assetsDir: string;
  livePushMs: number;
  now: () => number;
}

const ASSETS: Record<string, string> = {
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

const HOUR_MS = 3_600_000;

/**
 * The web console: a page and its JSON API under /console. It signs in with an admin key (kept
 * only in a signed HttpOnly cookie's claims, never the key itself), and changes need the session's
 * CSRF token. Off (404) unless some admin key exists.
 */
export function consoleRoutes(deps: ConsoleDeps) {
  const revoked = new Map<string, number>();
  const app = new OpenAPIHono();
  app.openAPIRegistry.registerComponent('securitySchemes', 'consoleSession', {
    type: 'apiKey',
    in: 'cookie',
    name: SESSION_COOKIE,
    description: `Set by POST /console/api/session; changes also send the \`${CSRF_HEADER}\` header it returned.`,
  });

  app.use('/console/*', async (c, next) => {
    if (!deps.envAdminKey && !(await deps.data.hasStoredAdminKey())) {
      throw new GatewayError({
        kind: 'not_found',
        status: 404,
        code: 'console_disabled',
        message: 'The console is off: it needs an admin key (GATEWAY_ADMIN_KEY or `keys create --admin`).',
      });
    }
    c.header('Cache-Control', 'no-store');
    c.header('X-Frame-Options', 'DENY');
    c.header('Referrer-Policy', 'no-referrer');
    await next();
  });

  // Public and outside /console: browsers ask for it on every page of the origin, signed in or not.
  const icon = faviconIco();
  app.get(documented(app, docs.favicon), (c) =>
    c.body(new Uint8Array(icon), 200, {
      'Content-Type': 'image/x-icon',
      'Cache-Control': 'public, max-age=86400',
    }),
  );
  app.get(documented(app, docs.consoleRedirect), (c) => c.redirect('/console/'));
  app.get(documented(app, docs.consolePage), (c) => {
    c.header(
      'Content-Security-Policy',
      "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'",
    );
    return c.html(PAGE);
  });
  app.get(documented(app, docs.consoleAsset), async (c) => {
    const file = c.req.param('file');
    const type = ASSETS[file];
    if (!type) return c.notFound();
    const body = await readFile(path.join(deps.assetsDir, file)).catch(() => undefined);
    if (!body) throw consoleNotBuilt();
    return c.body(body, 200, { 'Content-Type': type });
  });

  app.post(documented(app, docs.signIn), validateJson(docs.signInSchema), async (c) => {
    const result = await deps.authenticate(c.req.valid('json').key);
    if (result.kind !== 'ok' || !result.principal.admin) {
      throw new GatewayError({
        kind: 'authentication',
        status: 401,
        code: 'invalid_admin_key',
        message: 'That is not an admin key of this gateway.',
      });
    }
    const now = deps.now();
    const { token, session } = deps.tokens.issue(result.principal, now);
    setSessionCookie(c, token, session, now);
    return c.json({ name: session.principalName, csrfToken: session.csrf, expiresAt: session.exp });
  });

  const api = new OpenAPIHono();
  api.use(requireConsoleSession({ tokens: deps.tokens, now: deps.now, revoked }));
  api.get(documented(api, docs.currentSession), (c) => {
    const session = c.get('consoleSession');
    return c.json({
      name: session.principalName,
      csrfToken: session.csrf,
      expiresAt: session.exp,
      models: deps.models,
      playgroundSurfaces: deps.playgroundSurfaces,
    });
  });
  api.delete(documented(api, docs.signOut), (c) => {
    const session = c.get('consoleSession');
    pruneRevoked(revoked, deps.now());
    revoked.set(session.sid, session.exp);
    clearSessionCookie(c);
    return c.json({ signedOut: true });
  });

  api.get(documented(api, docs.live), (c) => {
    const disconnect = new AbortController();
    return writeSse(c, liveFrames(deps, disconnect.signal), {
      keepAliveMs: 15_000,
      onAbort: () => disconnect.abort(),
    });
  });

  api.get(documented(api, docs.overview), async (c) => {
    const window = c.req.query('window') === 'day' ? 'day' : 'hour';
    const to = deps.now();
    const span = window === 'day' ? 24 * HOUR_MS : HOUR_MS;
    // A day in hours: 24 bars stay readable on a phone (96 quarter-hours were hair-thin).
    const bucketMs = window === 'day' ? HOUR_MS : 60_000;
    const from = to - span;
    const points = await deps.data.points(from, to);
    return c.json({
      window,
      from,
      to,
      bucketMs,
      totals: totalsOf(points),
      series: bucketRequests(points, { from: Math.floor(from / bucketMs) * bucketMs, to }, bucketMs),
    });
  });

  api.get(documented(api, docs.usage), async (c) => {
    const range = usageRange(c.req.query('from'), c.req.query('to'));
    const keyId = c.req.query('key') || undefined;
    const rows = (await deps.data.usage(range.from, range.to)).filter((row) => !keyId || row.keyId === keyId);
    return c.json({
      from: range.from,
      to: range.to,
      rows: rows.map((row) => ({ ...row, costUsd: roundUsd(row.costUsd) })),
    });
  });
  api.get(documented(api, docs.usageCsv), async (c) => {
    const range = usageRange(c.req.query('from'), c.req.query('to'));
    const keyId = c.req.query('key') || undefined;
    const rows = (await deps.data.usage(range.from, range.to)).filter((row) => !keyId || row.keyId === keyId);
    c.header('Content-Disposition', 'attachment; filename="claude-gateway-usage.csv"');
    return c.body(usageCsv(rows), 200, { 'Content-Type': 'text/csv; charset=utf-8' });
  });

  api.get(documented(api, docs.listKeys), async (c) => {
    const keys = await deps.data.keys();
    return c.json({
      keys: keys.map((key) => ({
        id: key.id,
        name: key.name,
        prefix: key.prefix,
        admin: key.admin,
        policy: key.policy,
        spentUsd: roundUsd(key.spentUsd),
        createdAt: key.createdAt,
        revokedAt: key.revokedAt,
      })),
    });
  });
  api.post(documented(api, docs.createKey), validateJson(docs.newKeySchema), async (c) => {
    const input = c.req.valid('json');
    try {
      const created = await deps.data.createKey({
        name: input.name,
        admin: input.admin ?? false,
        policy: {
          ...(input.rpm !== undefined ? { rpm: input.rpm } : {}),
          ...(input.concurrency !== undefined ? { concurrency: input.concurrency } : {}),
          ...(input.budgetUsd !== undefined ? { budgetUsd: input.budgetUsd } : {}),
          ...(input.models?.length ? { models: input.models } : {}),
        },
      });
      return c.json({ id: created.record.id, name: created.record.name, key: created.key }, 201);
    } catch (error) {
      if (error instanceof Error && error.name === 'DuplicateKeyNameError') {
        throw invalidRequest(`A key named '${input.name}' already exists.`, 'name', 'duplicate_key_name');
      }
      throw error;
    }
  });
  api.delete(documented(api, docs.revokeKey), async (c) => {
    const revokedKey = await deps.data.revokeKey(c.req.param('id'));
    if (!revokedKey) throw notFound('No active key with that id.');
    return c.json({ id: revokedKey.id, revokedAt: revokedKey.revokedAt });
  });

  api.get(documented(api, docs.listRequests), async (c) => {
    const page = Math.max(1, Number.parseInt(c.req.query('page') ?? '1', 10) || 1);
    const pageSize = Math.min(200, Math.max(1, Number.parseInt(c.req.query('pageSize') ?? '50', 10) || 50));
    const surface = c.req.query('surface');
    const outcome = c.req.query('outcome');
    const range =
      c.req.query('from') || c.req.query('to')
        ? usageRange(c.req.query('from'), c.req.query('to'))
        : undefined;
    const { rows, total } = await deps.data.requests({
      ...(range ? { from: range.from, to: range.to } : {}),
      ...(c.req.query('key') ? { keyId: c.req.query('key') } : {}),
      ...(c.req.query('model') ? { model: c.req.query('model') } : {}),
      ...(surface ? { pathPrefixes: pathPrefixesOf(surface) } : {}),
      ...(outcome === 'ok' || outcome === 'error' ? { outcome } : {}),
      limit: pageSize,
      offset: (page - 1) * pageSize,
    });
    return c.json({ page, pageSize, total, rows: rows.map(requestView) });
  });
  api.get(documented(api, docs.getRequest), async (c) => {
    const row = await deps.data.request(c.req.param('requestId'));
    if (!row) throw notFound('No recorded request with that id.');
    return c.json({ ...requestView(row), prompt: row.prompt });
  });

  api.get(documented(api, docs.listSessions), async (c) => {
    const sessions = await deps.data.sessions();
    return c.json({
      sessions: sessions.map((session) => ({
        sessionId: session.id,
        keyId: session.ownerId,
        model: session.model,
        createdAt: session.createdAt,
        lastActivityAt: session.lastActivityAt,
        expiresAt: session.expiresAt,
        messageCount: session.messageCount,
        costUsd: roundUsd(session.costUsd),
        agent: session.agent !== undefined,
      })),
    });
  });
  api.get(documented(api, docs.sessionMessages), async (c) => {
    const messages = await deps.data.sessionMessages(c.req.param('id'));
    if (!messages) throw notFound('No session with that id.');
    return c.json({ messages });
  });

  api.get(documented(api, docs.listTasks), async (c) => {
    const tasks = await deps.data.tasks(200);
    return c.json({
      tasks: tasks.map((task) => ({
        taskId: task.id,
        keyId: task.ownerId,
        status: task.status,
        prompt: promptOf(task.request),
        createdAt: task.createdAt,
        updatedAt: task.updatedAt,
        costUsd: costOf(task.result),
      })),
    });
  });
  api.delete(documented(api, docs.cancelTask), async (c) => {
    const cancelled = await deps.cancelTask(c.req.param('id'));
    if (!cancelled) throw notFound('No running task with that id on this gateway.');
    return c.json({ taskId: c.req.param('id'), cancelled: true });
  });

  api.post(documented(api, docs.playground), validateJson(playgroundSchema), async (c) => {
    const input = c.req.valid('json');
    if (!deps.playgroundSurfaces.includes(input.surface)) {
      throw invalidRequest(`This gateway does not serve the ${input.surface} surface.`, 'surface');
    }
    const session = c.get('consoleSession');
    const request = playgroundRequest(input, new URL(c.req.url).origin, c.req.raw.signal);
    const principal: Principal = {
      id: session.principalId,
      name: session.principalName,
      admin: true,
      source: session.principalId === 'admin' ? 'env' : 'store',
      policy: { agentTools: [] },
    };
    const response = await deps.fetchApi(request, principal);
    const headers = new Headers({
      'Content-Type': response.headers.get('content-type') ?? 'application/json',
      'Cache-Control': 'no-cache',
      'X-Accel-Buffering': 'no',
    });
    const requestId = response.headers.get('x-request-id');
    if (requestId) headers.set('X-Playground-Request-Id', requestId);
    return new Response(response.body, { status: response.status, headers });
  });

  app.route('/console/api', api);
  return app;
}

function requestView(row: AuditEntry) {
  return {
    at: row.at,
    requestId: row.requestId,
    keyId: row.keyId,
    surface: surfaceOfPath(row.path),
    method: row.method,
    path: row.path,
    model: row.model,
    stream: row.stream,
    status: row.status,
    errorCode: row.errorCode,
    durationMs: row.durationMs,
    timeToFirstTokenMs: row.timeToFirstChunkMs,
    queueWaitMs: row.queueWaitMs,
    promptTokens: row.promptTokens,
    completionTokens: row.completionTokens,
    costUsd: roundUsd(row.costUsd),
  };
}

/** The task's prompt, shortened for a table cell (the request is the tasks surface's JSON). */
function promptOf(request: unknown): string {
  const prompt =
    typeof request === 'object' && request !== null ? (request as { prompt?: unknown }).prompt : undefined;
  return typeof prompt === 'string' ? prompt.slice(0, 200) : '';
}

function costOf(result: unknown): number | null {
  const cost =
    typeof result === 'object' && result !== null ? (result as { costUsd?: unknown }).costUsd : undefined;
  return typeof cost === 'number' ? roundUsd(cost) : null;
}

async function* liveFrames(deps: ConsoleDeps, signal: AbortSignal) {
  while (!signal.aborted) {
    const now = deps.now();
    const lastHour = totalsOf(await deps.data.points(now - HOUR_MS, now));
    yield { event: 'live', data: JSON.stringify({ at: now, ...deps.live(), lastHour }) };
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, deps.livePushMs);
      signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

function usageRange(from: string | undefined, to: string | undefined) {
  try {
    return parseUsageRange(from, to);
  } catch (error) {
    if (error instanceof UsageRangeError) throw invalidRequest(error.message, error.param);
    throw error;
  }
}

const notFound = (message: string) =>
  new GatewayError({ kind: 'not_found', status: 404, code: 'not_found', message });

const consoleNotBuilt = () =>
  new GatewayError({
    kind: 'unavailable',
    status: 503,
    code: 'console_not_built',
    message: 'The console bundle is missing: run `npm run build`.',
  });

const PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>claude-gateway console</title>
<link rel="stylesheet" href="/console/assets/app.css">
</head>
<body>
<div id="app"><p class="boot">Loading the console…</p></div>
<script type="module" src="/console/assets/app.js"></script>
</body>
</html>
`;
