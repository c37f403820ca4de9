import { randomUUID } from 'node:crypto';
import { OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { UpgradeWebSocket } from 'hono/ws';
import '../../http/context-variables.js';
import type { Principal } from '../../contract/key-policy.js';
import type { RecordTurn } from '../../core/accounting/turn-accounting.js';
import { documented } from '../../http/openapi-route.js';
import { noteRequestsPerMinute } from '../../http/rate-limit-headers.js';
import { WS_PROTOCOL, type WsTicketIssuer } from '../../http/ws-tickets.js';
import type {
  Caller,
  NativeSessions,
  SessionTurn,
  TurnInput,
} from '../../services/native/session-service.js';
import { startAccountedTurn } from './accounted-turn.js';
import { encodeTurn, type NativeStreamEvent } from './encode-stream.js';
import { invalidRequest } from './errors.js';
import { foldNativeStream } from './fold.js';
import { jsonBody, parseWith } from './parse.js';
import { presentMessages, presentSession, presentSessionDetails } from './present.js';
import * as docs from './route-docs.js';
import { createSessionSchema, sendMessageSchema, streamBodySchema, streamQuerySchema } from './schema.js';
import { toSseEvent } from './wire.js';
import { wsTurnEvents } from './ws-handler.js';

export interface NativeRouteDeps {
  sessions: NativeSessions;
  /** Model ids served that a key may use (GET /api/v1/models); all of them for a key without a list. */
  modelIds(allowed: readonly string[] | undefined): readonly string[];
  keepAliveMs: number;
  tickets: WsTicketIssuer;
  /** Audit rows and metrics of WebSocket and EventSource turns (the HTTP middleware records POSTs). */
  recordTurn?: RecordTurn;
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
    const gone = new AbortController();
    const turn = await startTurn(
      c,
      turnInput(c, body.prompt, body.timeout, body, gone.signal),
      deps.sessions,
    );
    if (body.stream === true) return streamTurn(c, turn, gone, deps.keepAliveMs);
    return c.json(await foldNativeStream(encodeTurn(turn)));
  });

  app.post(documented(app, docs.streamTurnPost), async (c) => {
    const body = parseWith(streamBodySchema, await jsonBody(c));
    const gone = new AbortController();
    const turn = await startTurn(
      c,
      turnInput(c, body.prompt, body.timeout, body, gone.signal),
      deps.sessions,
    );
    return streamTurn(c, turn, gone, deps.keepAliveMs);
  });

  app.get(documented(app, docs.streamTurnGet), async (c) => {
    const query = parseWith(streamQuerySchema, c.req.query());
    const gone = new AbortController();
    const input = turnInput(c, query.prompt, query.timeout, query, gone.signal);
    // No POST middleware records this turn: it is recorded here.
    const turn = await startAccountedTurn(deps.sessions, input, {
      recordTurn: deps.recordTurn,
      principal: input.caller.principal,
      info: { requestId: input.requestId, method: 'GET', path: c.req.path, body: query, stream: true },
    });
    noteRequestsPerMinute(c, turn.requestsPerMinute);
    return streamTurn(c, turn, gone, deps.keepAliveMs);
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
      recordTurn: deps.recordTurn,
    });
    return upgrade(() => events)(c, next);
  });

  app.post(documented(app, docs.issueTicket), (c) => {
    const principal = c.get('principal') as Principal | undefined;
    if (!principal) throw invalidRequest('Tickets are for authenticated callers.');
    const { ticket, expiresAt } = deps.tickets.issue(principal);
    return c.json({ ticket, expiresAt: new Date(expiresAt).toISOString(), protocol: WS_PROTOCOL }, 201);
  });

  app.get(documented(app, docs.listModels), (c) => {
    const ids = deps.modelIds((c.get('principal') as Principal | undefined)?.policy.models);
    return c.json({ models: ids.map((id) => ({ id, name: id })), total: ids.length });
  });

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

/** A turn of a POST, which the accounting middleware records: it gets the run's summary. */
async function startTurn(c: Context, input: TurnInput, sessions: NativeSessions): Promise<SessionTurn> {
  const hooks = c.get('runHooks');
  const turn = await sessions.turn({ ...input, onSummary: hooks?.onSummary, onStarted: hooks?.onStarted });
  noteRequestsPerMinute(c, turn.requestsPerMinute);
  return turn;
}

function callerOf(c: Context): Caller {
  const principal = c.get('principal') as Principal | undefined;
  return principal ? { ownerId: principal.id, principal } : { ownerId: 'anonymous' };
}

/** The turn's input; `gone` fires when the request is aborted or the stream's client goes away. */
function turnInput(
  c: Context,
  prompt: string,
  timeoutMs: number | undefined,
  auditBody: unknown,
  gone: AbortSignal,
): TurnInput {
  const input: TurnInput = {
    caller: callerOf(c),
    sessionId: c.req.param('id') ?? '',
    prompt,
    signal: AbortSignal.any([c.req.raw.signal, gone]),
    requestId: c.get('requestId') ?? randomUUID(),
    auditBody,
  };
  if (timeoutMs !== undefined) input.timeoutMs = timeoutMs;
  return input;
}

/**
 * Answers a started turn as SSE; a refusal before its first event was already thrown (a plain HTTP
 * error), after that an error is an `error` event. A client that disconnects aborts the turn.
 */
function streamTurn(c: Context, turn: SessionTurn, gone: AbortController, keepAliveMs: number): Response {
  c.header('X-Accel-Buffering', 'no');
  c.header('Cache-Control', 'no-cache');
  return streamSSE(c, async (stream) => {
    stream.onAbort(() => gone.abort());
    const keepAlive = setInterval(() => {
      void stream.write(': keepalive\n\n');
    }, keepAliveMs);
    const write = (item: NativeStreamEvent) => stream.writeSSE(toSseEvent(item));
    try {
      for await (const item of encodeTurn(turn)) await write(item);
    } finally {
      clearInterval(keepAlive);
    }
  });
}
