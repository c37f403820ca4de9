/** The native API's route definitions: what /openapi.json says of each path route.ts serves. */
import { createRoute, z } from '@hono/zod-openapi';
import {
  jsonBody,
  jsonOrSseResponse,
  jsonResponse,
  pathParams,
  sseResponse,
} from '../../http/openapi-route.js';
import { createSessionSchema, sendMessageSchema, streamBodySchema, streamQuerySchema } from './schema.js';

export const nativeErrorSchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.record(z.string(), z.unknown()),
    }),
    timestamp: z.string().openapi({ format: 'date-time' }),
    requestId: z.string(),
  })
  .openapi('NativeError');

const sessionSchema = z
  .object({
    sessionId: z.string(),
    model: z.string(),
    status: z.enum(['idle', 'running']),
    createdAt: z.string().openapi({ format: 'date-time' }),
    lastActivityAt: z.string().openapi({ format: 'date-time' }),
    expiresAt: z.string().openapi({ format: 'date-time' }),
    messageCount: z.number().int().openapi({ description: 'User and assistant messages (two turns: 4).' }),
    systemPrompt: z.string().optional(),
    settings: z
      .looseObject({})
      .optional()
      .openapi({ description: 'Agent settings: cwd, tools, permissionMode, maxTurns.' }),
    usage: z
      .looseObject({})
      .optional()
      .openapi({ description: 'Details only: tokens summed over every turn.' }),
    costUsd: z.number().optional().openapi({ description: 'Details only.' }),
  })
  .openapi('NativeSession');

const error = (description: string) => jsonResponse(description, nativeErrorSchema);
const sessionId = pathParams({ id: 'The session id.' });
const tags = ['native'];

const common = {
  401: error('MISSING_API_KEY, INVALID_API_KEY or API_KEY_EXPIRED.'),
  429: error('RATE_LIMIT_EXCEEDED (per-key rpm, concurrency, queue) or QUOTA_EXCEEDED (budget).'),
};
const notFound = error('SESSION_NOT_FOUND (also for another key’s session and expired ones).');
const turnErrors = {
  ...common,
  400: error('INVALID_REQUEST; `details.param` names the field.'),
  404: notFound,
  409: error('SESSION_BUSY: a turn is already running on this session.'),
  502: error('UPSTREAM_ERROR: Claude Code or the Claude API failed.'),
  503: error('SERVICE_UNAVAILABLE: no Claude Code slot free in time, or shutting down.'),
  504: error('TIMEOUT: the turn took longer than allowed.'),
};
const sseDescription =
  'Server-sent events, `data` always one-line JSON: `event: message` with `{"type":"text_delta","text"}` ' +
  '(and `thinking_delta`, `tool_use`, `tool_result`), then exactly one `event: complete` ' +
  '(`{response, usage, costUsd, durationMs, sessionId, stopReason}`) or `event: error` (`{"error":{code,message,details}}`). ' +
  'Comment lines keep the connection alive. Disconnecting aborts the turn.';

export const createSession = createRoute({
  method: 'post',
  path: '/api/v1/sessions',
  summary: 'Create a native session',
  tags,
  request: {
    body: { ...jsonBody(createSessionSchema.openapi('NativeCreateSession')), required: false },
  },
  responses: {
    201: jsonResponse('The session.', sessionSchema),
    400: error('INVALID_REQUEST or MODEL_NOT_FOUND; agent settings outside the gateway’s rules.'),
    ...common,
  },
});

export const listSessions = createRoute({
  method: 'get',
  path: '/api/v1/sessions',
  summary: 'List the caller’s sessions',
  tags,
  responses: {
    200: jsonResponse(
      'The sessions of this key.',
      z.object({ sessions: z.array(sessionSchema), total: z.number().int() }),
    ),
    ...common,
  },
});

export const getSession = createRoute({
  method: 'get',
  path: '/api/v1/sessions/{id}',
  summary: 'One session, with usage and cost so far',
  tags,
  request: { params: sessionId },
  responses: { 200: jsonResponse('The session.', sessionSchema), 404: notFound, ...common },
});

export const deleteSession = createRoute({
  method: 'delete',
  path: '/api/v1/sessions/{id}',
  summary: 'End a session (a running turn is aborted)',
  tags,
  request: { params: sessionId },
  responses: {
    200: jsonResponse('Deleted.', z.object({ sessionId: z.string(), deleted: z.literal(true) })),
    404: notFound,
    ...common,
  },
});

export const listMessages = createRoute({
  method: 'get',
  path: '/api/v1/sessions/{id}/messages',
  summary: 'The history: user and assistant messages in order',
  tags,
  request: { params: sessionId },
  responses: {
    200: jsonResponse('`{sessionId, messages: [{role, content, timestamp}], total}`'),
    404: notFound,
    ...common,
  },
});

export const sendMessage = createRoute({
  method: 'post',
  path: '/api/v1/sessions/{id}/messages',
  summary: 'Send a turn',
  tags,
  request: { params: sessionId, body: jsonBody(sendMessageSchema.openapi('NativeSendMessage')) },
  responses: {
    200: jsonOrSseResponse(
      `\`{response, usage, costUsd, durationMs, sessionId, stopReason, toolUses}\`; with \`stream: true\`: ${sseDescription}`,
    ),
    ...turnErrors,
  },
});

export const streamTurnPost = createRoute({
  method: 'post',
  path: '/api/v1/sessions/{id}/stream',
  summary: 'Send a turn and stream the answer',
  tags,
  request: { params: sessionId, body: jsonBody(streamBodySchema.openapi('NativeStreamRequest')) },
  responses: { 200: sseResponse(sseDescription), ...turnErrors },
});

export const streamTurnGet = createRoute({
  method: 'get',
  path: '/api/v1/sessions/{id}/stream',
  summary: 'Send a turn and stream the answer (for EventSource)',
  tags,
  request: { params: sessionId, query: streamQuerySchema },
  responses: { 200: sseResponse(sseDescription), ...turnErrors },
});

export const webSocket = createRoute({
  method: 'get',
  path: '/api/v1/sessions/{id}/ws',
  summary: 'WebSocket for turns',
  description:
    'Upgrade to a WebSocket (header auth, or a ticket from POST /api/v1/ws-tickets offered as the subprotocol `ticket.<ticket>` next to `claude-gateway.v1`). Client frames: `{"type":"message","prompt"}`, `{"type":"cancel"}`. Server frames: the SSE event objects, ending each turn with `{"type":"complete",...}` or `{"type":"error","error":{...}}`.',
  tags,
  request: {
    params: sessionId,
    headers: z.object({
      upgrade: z.literal('websocket'),
      'sec-websocket-protocol': z.string().optional().openapi({
        description: '`claude-gateway.v1`, and `ticket.<ticket>` to authenticate with a ticket.',
      }),
    }),
  },
  responses: {
    101: { description: 'Switching protocols.' },
    400: error('INVALID_REQUEST: not a WebSocket upgrade.'),
    404: notFound,
    ...common,
  },
});

export const issueTicket = createRoute({
  method: 'post',
  path: '/api/v1/ws-tickets',
  summary: 'A single-use WebSocket ticket (30 s) for browsers',
  tags,
  responses: {
    201: jsonResponse(
      'The ticket.',
      z.object({ ticket: z.string(), expiresAt: z.string(), protocol: z.literal('claude-gateway.v1') }),
    ),
    400: error('INVALID_REQUEST: tickets are for authenticated callers.'),
    ...common,
  },
});

export const listModels = createRoute({
  method: 'get',
  path: '/api/v1/models',
  summary: 'Models served that this key may use',
  tags,
  responses: {
    200: jsonResponse(
      'The models.',
      z.object({ models: z.array(z.object({ id: z.string(), name: z.string() })), total: z.number().int() }),
    ),
    ...common,
  },
});

export const health = createRoute({
  method: 'get',
  path: '/api/v1/health',
  summary: 'Health with session statistics',
  tags,
  responses: {
    200: jsonResponse('`{status, version, timestamp, sessions: {active, total, running}}`'),
    ...common,
  },
});
