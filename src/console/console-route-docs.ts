/** What /openapi.json says of the console's page and JSON API (console-routes.ts). */
import { createRoute, z } from '@hono/zod-openapi';
import { jsonBody, jsonResponse, pathParams, sseResponse } from '../http/openapi-route.js';
import { openAIError } from '../surfaces/openai/openai-error-docs.js';
import { playgroundSchema } from './playground.js';

export const signInSchema = z.object({ key: z.string().min(1).max(512) });
export const newKeySchema = z.object({
  name: z.string().trim().min(1).max(64),
  admin: z.boolean().optional(),
  rpm: z.number().int().positive().max(1_000_000).optional(),
  concurrency: z.number().int().positive().max(10_000).optional(),
  budgetUsd: z.number().positive().max(1_000_000).optional(),
  models: z.array(z.string().min(1).max(256)).max(100).optional(),
});

const tags = ['console'];
/** Signed in with an admin key: the session cookie, and the CSRF header on changes. */
const security = [{ consoleSession: [] }];
const signedIn = {
  401: openAIError('Not signed in, or the session expired or was signed out.'),
  403: openAIError('A change without the session’s CSRF token.'),
  404: openAIError('`console_disabled`: no admin key exists.'),
};
const html = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });
const usageQuery = z.object({
  from: z.string().optional().openapi({ description: 'YYYY-MM-DD, ISO date-time or Unix seconds.' }),
  to: z.string().optional().openapi({ description: 'Exclusive end; default now.' }),
  key: z.string().optional().openapi({ description: 'Only this key id.' }),
});

export const consoleRedirect = createRoute({
  method: 'get',
  path: '/console',
  summary: 'The console page (redirects to /console/)',
  tags,
  security: [],
  responses: { 302: { description: 'To /console/.' } },
});

export const consolePage = createRoute({
  method: 'get',
  path: '/console/',
  summary: 'The console page',
  tags,
  security: [],
  responses: { 200: html('The single-page app.'), 404: signedIn[404] },
});

export const consoleAsset = createRoute({
  method: 'get',
  path: '/console/assets/{file}',
  summary: 'The console’s script and stylesheet',
  tags,
  security: [],
  request: { params: pathParams({ file: '`app.js` or `app.css`.' }) },
  responses: {
    200: { description: 'The file.', content: { 'text/javascript': { schema: z.string() } } },
    404: openAIError('No such asset, or the console is off.'),
    503: openAIError('`console_not_built`: run `npm run build`.'),
  },
});

export const favicon = createRoute({
  method: 'get',
  path: '/favicon.ico',
  summary: 'The gateway’s icon (public)',
  tags,
  security: [],
  responses: { 200: { description: 'An ICO file.', content: { 'image/x-icon': { schema: z.string() } } } },
});

const sessionView = z.object({ name: z.string(), csrfToken: z.string(), expiresAt: z.number() });

export const signIn = createRoute({
  method: 'post',
  path: '/console/api/session',
  summary: 'Sign in with an admin key (sets the session cookie)',
  tags,
  security: [],
  request: { body: jsonBody(signInSchema.openapi('ConsoleSignIn')) },
  responses: {
    200: jsonResponse('Signed in.', sessionView),
    400: openAIError('No key given.'),
    401: openAIError('`invalid_admin_key`.'),
    404: signedIn[404],
  },
});

// The JSON API below is mounted at /console/api: its paths are relative to that.
const route = <P extends string>(
  method: 'get' | 'post' | 'delete',
  path: P,
  summary: string,
  extra: {
    request?: Parameters<typeof createRoute>[0]['request'];
    ok: ReturnType<typeof jsonResponse>;
    errors?: Record<number, ReturnType<typeof jsonResponse>>;
  },
) =>
  createRoute({
    method,
    path,
    summary,
    tags,
    security,
    ...(extra.request ? { request: extra.request } : {}),
    responses: { 200: extra.ok, ...signedIn, ...extra.errors },
  });

const invalidQuery = { 400: openAIError('A query parameter is invalid; `param` names it.') };
/** The playground answers as the surface it calls: that surface's status and error body. */
const surfaceAnswers = {
  400: jsonResponse('Invalid field (`param` names it), or the surface answered 400.'),
  404: jsonResponse('The surface does not serve the model.'),
  429: jsonResponse('The surface refused for a limit.'),
  502: jsonResponse('The surface’s run failed upstream.'),
  503: jsonResponse('No Claude Code slot free in time, or the Claude API is unavailable.'),
  504: jsonResponse('The run took too long.'),
  529: jsonResponse('The Anthropic surface’s `overloaded_error`.'),
};

export const currentSession = route('get', '/session', 'The signed-in session', {
  ok: jsonResponse(
    'The session, the served models and the playground’s surfaces.',
    sessionView.extend({ models: z.array(z.string()), playgroundSurfaces: z.array(z.string()) }),
  ),
});
export const signOut = route('delete', '/session', 'Sign out', {
  ok: jsonResponse('Signed out.', z.object({ signedOut: z.literal(true) })),
});
export const live = route('get', '/live', 'Live figures (queue, processes, spares, last hour), pushed', {
  ok: sseResponse('`live` events every few seconds.'),
});
export const overview = route('get', '/overview', 'Requests over the last hour or day', {
  request: { query: z.object({ window: z.enum(['hour', 'day']).optional() }) },
  ok: jsonResponse('`{window, from, to, bucketMs, totals, series}`'),
  errors: invalidQuery,
});
export const usage = route('get', '/usage', 'Usage per key and day', {
  request: { query: usageQuery },
  ok: jsonResponse('`{from, to, rows}`'),
  errors: invalidQuery,
});
export const usageCsv = route('get', '/usage.csv', 'Usage per key and day as CSV', {
  request: { query: usageQuery },
  ok: { description: 'A CSV attachment.', content: { 'text/csv': { schema: z.string() } } },
  errors: invalidQuery,
});
export const listKeys = route('get', '/keys', 'API keys (never the secrets)', {
  ok: jsonResponse('`{keys: [{id, name, prefix, admin, policy, spentUsd, createdAt, revokedAt}]}`'),
});
export const createKey = createRoute({
  method: 'post',
  path: '/keys',
  summary: 'Create an API key (the secret is shown once)',
  tags,
  security,
  request: {
    body: jsonBody(newKeySchema.openapi('ConsoleNewKey')),
  },
  responses: {
    201: jsonResponse('The key.', z.object({ id: z.string(), name: z.string(), key: z.string() })),
    400: openAIError('Invalid field, or `duplicate_key_name`.'),
    ...signedIn,
  },
});
export const revokeKey = route('delete', '/keys/{id}', 'Revoke an API key', {
  request: { params: pathParams({ id: 'The key id.' }) },
  ok: jsonResponse('`{id, revokedAt}`'),
});
export const listRequests = route('get', '/requests', 'Recorded requests, newest first, paged', {
  request: {
    query: usageQuery.extend({
      page: z.string().optional(),
      pageSize: z.string().optional().openapi({ description: '1 to 200; default 50.' }),
      model: z.string().optional(),
      surface: z.string().optional(),
      outcome: z.enum(['ok', 'error']).optional(),
    }),
  },
  ok: jsonResponse('`{page, pageSize, total, rows}`'),
  errors: invalidQuery,
});
export const getRequest = route('get', '/requests/{requestId}', 'One recorded request, with its prompt', {
  request: { params: pathParams({ requestId: 'The request id (`x-request-id`).' }) },
  ok: jsonResponse('The request.'),
});
export const listSessions = route('get', '/sessions', 'Native sessions of every key', {
  ok: jsonResponse('`{sessions: [...]}`'),
});
export const sessionMessages = route('get', '/sessions/{id}/messages', 'A native session’s history', {
  request: { params: pathParams({ id: 'The session id.' }) },
  ok: jsonResponse('`{messages}`'),
});
export const listTasks = route('get', '/tasks', 'Agentic tasks of every key (latest 200)', {
  ok: jsonResponse('`{tasks: [...]}`'),
});
export const cancelTask = route('delete', '/tasks/{id}', 'Cancel a task running on this gateway', {
  request: { params: pathParams({ id: 'The task id.' }) },
  ok: jsonResponse('`{taskId, cancelled: true}`'),
});
export const playground = route('post', '/playground', 'Send one message through a surface, streamed', {
  request: {
    body: jsonBody(playgroundSchema.openapi('ConsolePlayground')),
  },
  ok: sseResponse('The surface’s own stream, as a client of it would get it.'),
  errors: surfaceAnswers,
});
