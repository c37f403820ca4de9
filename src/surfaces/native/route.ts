import { randomUUID } from 'node:crypto';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { UpgradeWebSocket } from 'hono/ws';
import '../../http/context-variables.js';
import type { Principal } from '../../contract/key-policy.js';
import { documented } from '../../http/openapi-route.js';
import type { NativeStreamEvent } from './encode-stream.js';
import { invalidRequest } from './errors.js';
import { foldNativeStream } from './fold.js';
import { jsonBody, parseWith } from './parse.js';
import { presentMessages, presentSession, presentSessionDetails } from './present.js';
import * as docs from './route-docs.js';
import { createSessionSchema, sendMessageSchema, streamBodySchema, streamQuerySchema } from './schema.js';
import type { Caller, NativeSessions, TurnInput } from './session-service.js';
import { toSseEvent } from './wire.js';
import { wsTurnEvents } from './ws-handler.js';
import type { WsTickets } from './ws-tickets.js';

export interface NativeRouteDeps {
  sessions: NativeSessions;
  /** Model ids served (GET /api/v1/models). */
  modelIds: readonly string[];
  keepAliveMs: number;
  tickets: WsTickets;
  /** The Node server's WebSocket upgrade; absent where the server has no WebSocket support. */
  upgradeWebSocket?: UpgradeWebSocket;
  version: string;
}

/** The native Claude Code API under /api/v1: a thin adapter over the sessions and the core. */
export function nativeRoutes(deps: NativeRouteDeps) {
  const app = new OpenAPIHono();

  app.post(documented(app, docs.createSession), async (c) => {
    const body = parseWith(createSessionSchema, await jsonBody(c));
    const session = await deps.sessions.create(callerOf(c), body);
    return c.json(presentSession(session, false), 201);
  });

  app.get(documented(app, docs.listSessions), async (c) => {
    const sessions = await deps.sessions.list(callerOf(c));
    return c.json({
      sessions: sessions.map((session) => presentSession(session, deps.sessions.isRunning(session.id))),
      total: sessions.length,
    });
  });

  app.get(documented(app, docs.getSession), async (c) => {
    const session = await deps.sessions.get(callerOf(c), c.req.param('id'));
    return c.json(presentSessionDetails(session, deps.sessions.isRunning(session.id)));
  });

  app.delete(documented(app, docs.deleteSession), async (c) => {
    const id = c.req.param('id');
    await deps.sessions.delete(callerOf(c), id);
    return c.json({ sessionId: id, deleted: true });
  });

  app.get(documented(app, docs.listMessages), async (c) => {
    const id = c.req.param('id');
    const messages = await deps.sessions.messages(callerOf(c), id);
    return c.json({ sessionId: id, messages: presentMessages(messages), total: messages.length });
  });

  app.post(documented(app, docs.sendMessage), async (c) => {
    const body = parseWith(sendMessageSchema, await jsonBody(c));
    const input = turnInput(c, body.prompt, body.timeout, body);
    input.onSummary = hookOf(c);
    if (body.stream === true) return streamTurn(c, deps.sessions, input, deps.keepAliveMs);
    const reply = await foldNativeStream(deps.sessions.turn(input));
    return c.json(reply);
  });

  app.post(documented(app, docs.streamTurnPost), async (c) => {
    const body = parseWith(streamBodySchema, await jsonBody(c));
    const input = turnInput(c, body.prompt, body.timeout, body);
    input.onSummary = hookOf(c);
    return streamTurn(c, deps.sessions, input, deps.keepAliveMs);
  });

  app.get(documented(app, docs.streamTurnGet), async (c) => {
    const query = parseWith(streamQuerySchema, c.req.query());
    const input = turnInput(c, query.prompt, query.timeout, query);
    // No POST middleware counted or records this turn: admission counts it, the sessions record it.
    input.unaccounted = {
      requestId: input.requestId,
      method: 'GET',
      path: c.req.path,
      body: query,
      stream: true,
    };
    return streamTurn(c, deps.sessions, input, deps.keepAliveMs);
  });

  app.get(documented(app, docs.webSocket), async (c, next) => {
    const upgrade = deps.upgradeWebSocket;
    if (!upgrade || c.req.header('upgrade')?.toLowerCase() !== 'websocket') {
      throw invalidRequest('This endpoint expects a WebSocket upgrade (Upgrade: websocket).');
    }
    const caller = callerOf(c);
    const session = await deps.sessions.get(caller, c.req.param('id'));
    const events = wsTurnEvents({
      sessions: deps.sessions,
      caller,
      sessionId: session.id,
      newRequestId: () => `${c.get('requestId') ?? 'ws'}-${randomUUID().slice(0, 8)}`,
      path: c.req.path,
    });
    return upgrade(() => events)(c, next);
  });

  app.post(documented(app, docs.issueTicket), (c) => {
    const principal = c.get('principal') as Principal | undefined;
    if (!principal) throw invalidRequest('Tickets are for authenticated callers.');
    const { ticket, expiresAt } = deps.tickets.issue(principal);
    return c.json(
      { ticket, expiresAt: new Date(expiresAt).toISOString(), protocol: 'claude-gateway.v1' },
      201,
    );
  });

  app.get(documented(app, docs.listModels), (c) =>
    c.json({ models: deps.modelIds.map((id) => ({ id, name: id })), total: deps.modelIds.length }),
  );

  app.get(documented(app, docs.health), async (c) =>
    c.json({
      status: 'ok',
      version: deps.version,
      timestamp: new Date().toISOString(),
      sessions: await deps.sessions.stats(),
    }),
  );

  return app;
}

/** The key-policy middleware's summary hook for POSTs it admitted. */
function hookOf(c: Context): TurnInput['onSummary'] {
  return c.get('runHooks')?.onSummary;
}

function callerOf(c: Context): Caller {
  const principal = c.get('principal') as Principal | undefined;
  return principal ? { ownerId: principal.id, principal } : { ownerId: 'anonymous' };
}

function turnInput(c: Context, prompt: string, timeoutMs: number | undefined, auditBody: unknown): TurnInput {
  const input: TurnInput = {
    caller: callerOf(c),
    sessionId: c.req.param('id') ?? '',
    prompt,
    signal: c.req.raw.signal,
    requestId: c.get('requestId') ?? randomUUID(),
    auditBody,
  };
  if (timeoutMs !== undefined) input.timeoutMs = timeoutMs;
  return input;
}

/**
 * Answers a turn as SSE. The first event is awaited before the stream opens, so a refusal (404, 409,
 * admission) is still a plain HTTP error; after that an error is an `error` event. A client that
 * disconnects aborts the turn.
 */
async function streamTurn(
  c: Context,
  sessions: NativeSessions,
  input: TurnInput,
  keepAliveMs: number,
): Promise<Response> {
  const gone = new AbortController();
  const events = sessions.turn({ ...input, signal: AbortSignal.any([input.signal, gone.signal]) });
  const first = await events.next();
  if (!first.done && first.value.event === 'error') {
    await events.return();
    throw first.value.error;
  }
  c.header('X-Accel-Buffering', 'no');
  c.header('Cache-Control', 'no-cache');
  return streamSSE(c, async (stream) => {
    stream.onAbort(() => gone.abort());
    const keepAlive = setInterval(() => {
      void stream.write(': keepalive\n\n');
    }, keepAliveMs);
    const write = (item: NativeStreamEvent) => stream.writeSSE(toSseEvent(item));
    try {
      if (!first.done) await write(first.value);
      for await (const item of events) await write(item);
    } finally {
      clearInterval(keepAlive);
      await events.return();
    }
  });
}
