import { inputSchema, type JsonObject, type OpenApiFragment } from '../../docs/openapi-fragment.js';
import { createSessionSchema, sendMessageSchema, streamBodySchema } from './schema.js';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: JsonObject, description: string) => ({
  description,
  content: { 'application/json': { schema } },
});
const error = (description: string) => json(ref('NativeError'), description);
const sessionId = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const common = {
  '401': error('MISSING_API_KEY or INVALID_API_KEY.'),
  '429': error('RATE_LIMIT_EXCEEDED (per-key rpm, concurrency, queue) or QUOTA_EXCEEDED (budget).'),
};
const turnErrors = {
  ...common,
  '400': error('INVALID_REQUEST; `details.param` names the field.'),
  '404': error('SESSION_NOT_FOUND (also for another key’s session and expired ones).'),
  '409': error('SESSION_BUSY: a turn is already running on this session.'),
  '502': error('UPSTREAM_ERROR: Claude Code or the Claude API failed.'),
  '503': error('SERVICE_UNAVAILABLE: no Claude Code slot free in time, or shutting down.'),
  '504': error('TIMEOUT: the turn took longer than allowed.'),
};
const sseDescription =
  'Server-sent events, `data` always one-line JSON: `event: message` with `{"type":"text_delta","text"}` ' +
  '(and `thinking_delta`, `tool_use`, `tool_result`), then exactly one `event: complete` ' +
  '(`{response, usage, costUsd, durationMs, sessionId, stopReason}`) or `event: error` (`{"error":{code,message,details}}`). ' +
  'Comment lines keep the connection alive. Disconnecting aborts the turn.';

/** The native API's part of the OpenAPI document: its paths and the schemas they name. */
export function nativeOpenApi(): OpenApiFragment {
  return {
    schemas: {
      NativeCreateSession: inputSchema(createSessionSchema),
      NativeSendMessage: inputSchema(sendMessageSchema),
      NativeStreamRequest: inputSchema(streamBodySchema),
      NativeSession: {
        type: 'object',
        required: [
          'sessionId',
          'model',
          'status',
          'createdAt',
          'lastActivityAt',
          'expiresAt',
          'messageCount',
        ],
        properties: {
          sessionId: { type: 'string' },
          model: { type: 'string' },
          status: { enum: ['idle', 'running'] },
          createdAt: { type: 'string', format: 'date-time' },
          lastActivityAt: { type: 'string', format: 'date-time' },
          expiresAt: { type: 'string', format: 'date-time' },
          messageCount: { type: 'integer', description: 'User and assistant messages (two turns: 4).' },
          systemPrompt: { type: 'string' },
          settings: { type: 'object', description: 'Agent settings: cwd, tools, permissionMode, maxTurns.' },
          usage: { type: 'object', description: 'Details only: tokens summed over every turn.' },
          costUsd: { type: 'number', description: 'Details only.' },
        },
      },
      NativeError: {
        type: 'object',
        required: ['error', 'timestamp', 'requestId'],
        properties: {
          error: {
            type: 'object',
            required: ['code', 'message', 'details'],
            properties: {
              code: { type: 'string' },
              message: { type: 'string' },
              details: { type: 'object' },
            },
          },
          timestamp: { type: 'string', format: 'date-time' },
          requestId: { type: 'string' },
        },
      },
    },
    paths: {
      '/api/v1/sessions': {
        post: {
          summary: 'Create a native session',
          tags: ['native'],
          requestBody: { content: { 'application/json': { schema: ref('NativeCreateSession') } } },
          responses: {
            '201': json(ref('NativeSession'), 'The session.'),
            '400': error('INVALID_REQUEST or MODEL_NOT_FOUND; agent settings outside the gateway’s rules.'),
            ...common,
          },
        },
        get: {
          summary: 'List the caller’s sessions',
          tags: ['native'],
          responses: {
            '200': json(
              {
                type: 'object',
                properties: {
                  sessions: { type: 'array', items: ref('NativeSession') },
                  total: { type: 'integer' },
                },
              },
              'The sessions of this key.',
            ),
            ...common,
          },
        },
      },
      '/api/v1/sessions/{id}': {
        get: {
          summary: 'One session, with usage and cost so far',
          tags: ['native'],
          parameters: [sessionId],
          responses: {
            '200': json(ref('NativeSession'), 'The session.'),
            '404': turnErrors['404'],
            ...common,
          },
        },
        delete: {
          summary: 'End a session (a running turn is aborted)',
          tags: ['native'],
          parameters: [sessionId],
          responses: {
            '200': json({ type: 'object' }, '`{sessionId, deleted: true}`'),
            '404': turnErrors['404'],
            ...common,
          },
        },
      },
      '/api/v1/sessions/{id}/messages': {
        post: {
          summary: 'Send a turn',
          tags: ['native'],
          parameters: [sessionId],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref('NativeSendMessage') } },
          },
          responses: {
            '200': {
              description: `\`{response, usage, costUsd, durationMs, sessionId, stopReason, toolUses}\`; with \`stream: true\`: ${sseDescription}`,
              content: { 'application/json': { schema: { type: 'object' } }, 'text/event-stream': {} },
            },
            ...turnErrors,
          },
        },
        get: {
          summary: 'The history: user and assistant messages in order',
          tags: ['native'],
          parameters: [sessionId],
          responses: {
            '200': json({ type: 'object' }, '`{sessionId, messages: [{role, content, timestamp}], total}`'),
            '404': turnErrors['404'],
            ...common,
          },
        },
      },
      '/api/v1/sessions/{id}/stream': {
        post: {
          summary: 'Send a turn and stream the answer',
          tags: ['native'],
          parameters: [sessionId],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: ref('NativeStreamRequest') } },
          },
          responses: {
            '200': { description: sseDescription, content: { 'text/event-stream': {} } },
            ...turnErrors,
          },
        },
        get: {
          summary: 'Send a turn and stream the answer (for EventSource)',
          tags: ['native'],
          parameters: [
            sessionId,
            { name: 'prompt', in: 'query', required: true, schema: { type: 'string' } },
            { name: 'timeout', in: 'query', schema: { type: 'integer', description: 'Milliseconds.' } },
          ],
          responses: {
            '200': { description: sseDescription, content: { 'text/event-stream': {} } },
            ...turnErrors,
          },
        },
      },
      '/api/v1/sessions/{id}/ws': {
        get: {
          summary: 'WebSocket for turns',
          description:
            'Upgrade to a WebSocket (header auth, or a ticket from POST /api/v1/ws-tickets offered as the subprotocol `ticket.<ticket>` next to `claude-gateway.v1`). Client frames: `{"type":"message","prompt"}`, `{"type":"cancel"}`. Server frames: the SSE event objects, ending each turn with `{"type":"complete",...}` or `{"type":"error","error":{...}}`.',
          tags: ['native'],
          parameters: [sessionId],
          responses: { '101': { description: 'Switching protocols.' }, '404': turnErrors['404'], ...common },
        },
      },
      '/api/v1/ws-tickets': {
        post: {
          summary: 'A single-use WebSocket ticket (30 s) for browsers',
          tags: ['native'],
          responses: {
            '201': json({ type: 'object' }, '`{ticket, expiresAt, protocol: "claude-gateway.v1"}`'),
            ...common,
          },
        },
      },
      '/api/v1/models': {
        get: {
          summary: 'Models served',
          tags: ['native'],
          responses: { '200': json({ type: 'object' }, '`{models: [{id, name}], total}`'), ...common },
        },
      },
      '/api/v1/health': {
        get: {
          summary: 'Health with session statistics',
          tags: ['native'],
          responses: {
            '200': json(
              { type: 'object' },
              '`{status, version, timestamp, sessions: {active, total, running}}`',
            ),
            ...common,
          },
        },
      },
    },
  };
}
