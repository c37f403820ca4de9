import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import type { UpgradeWebSocket } from 'hono/ws';
import '../../auth/context-variables.js';
import { GatewayError } from '../../core/gateway-error.js';
import { type RunEvent, ZERO_USAGE } from '../../core/run-events.js';
import type { RunRequest, RunService } from '../../core/run-service.js';
import type { Principal } from '../../policy/key-policy.js';
import type { AdmitTurn } from '../../policy/turn-admission.js';
import { openStoreDatabase } from '../../store/database.js';
import { sqliteNativeSessions } from '../../store/sqlite-native-sessions.js';
import { renderNativeError } from './render-error.js';
import { nativeRoutes } from './route.js';
import { createNativeSessions } from './session-service.js';
import { createWsTickets, type WsTickets, wsTicketAuth } from './ws-tickets.js';

// Shared by the native surface's tests: a scripted RunService and the routes over an in-memory store.

export type Script = (request: RunRequest) => AsyncGenerator<RunEvent, void, undefined>;

/** A RunService that plays scripted events and remembers what it was asked to run. */
export function fakeRunService(script: Script) {
  const requests: RunRequest[] = [];
  const service: RunService = {
    run(request) {
      requests.push(request);
      return script(request);
    },
  };
  return { service, requests };
}

export const usage = { ...ZERO_USAGE, inputTokens: 3, outputTokens: 2 };

export async function* echo(request: RunRequest): AsyncGenerator<RunEvent, void, undefined> {
  const prompt = request.plan.prompt[0];
  const text = prompt?.type === 'text' ? prompt.text : '?';
  yield { type: 'message_start' };
  yield { type: 'text_delta', text: 'echo: ' };
  yield { type: 'text_delta', text };
  yield { type: 'finish', reason: 'end_turn', usage };
  request.onSummary?.({
    surface: 'native',
    model: request.plan.model,
    outcome: 'ok',
    usage,
    costUsd: 0.25,
    costEstimated: false,
    durationMs: 40,
    queueWaitMs: 0,
  });
}

export function principal(id: string): Principal {
  return { id, name: id, admin: false, source: 'store', policy: {} };
}

export function setup(
  script: Script = echo,
  options: {
    maxPerKey?: number;
    upgradeWebSocket?: UpgradeWebSocket;
    keepAliveMs?: number;
    admitTurn?: AdmitTurn;
  } = {},
) {
  const tickets: WsTickets = createWsTickets({ ttlMs: 30_000 });
  const run = fakeRunService(script);
  const ended: string[] = [];
  let clock = 1_000_000;
  const sessions = createNativeSessions({
    store: sqliteNativeSessions(openStoreDatabase(':memory:')),
    runService: run.service,
    planContext: {
      resolveModel: (name) => (name === 'sonnet' || name === 'opus' ? `claude-${name}` : undefined),
      defaultModel: 'sonnet',
      systemPromptPlacement: 'replace',
    },
    ttlMs: 60_000,
    maxPerKey: options.maxPerKey ?? 10,
    maxTotal: 100,
    requestTimeoutMs: 30_000,
    endConversation: async (origin) => {
      ended.push(origin.conversationId);
    },
    now: () => clock,
    ...(options.admitTurn ? { admitTurn: options.admitTurn } : {}),
  });
  const app = new Hono();
  app.use(requestId());
  app.use(wsTicketAuth(tickets));
  // Stands in for the gateway's auth: the key names the principal.
  app.use(async (c, next) => {
    const key = c.req.header('x-api-key');
    if (key && !c.get('principal')) c.set('principal', principal(key));
    await next();
  });
  app.route(
    '/',
    nativeRoutes({
      sessions,
      modelIds: ['sonnet', 'opus'],
      keepAliveMs: options.keepAliveMs ?? 60_000,
      tickets,
      version: 'test',
      ...(options.upgradeWebSocket ? { upgradeWebSocket: options.upgradeWebSocket } : {}),
    }),
  );
  app.onError((error, c) => {
    if (!(error instanceof GatewayError)) throw error;
    const rendered = renderNativeError(error, { requestId: c.get('requestId') });
    return c.json(rendered.body, rendered.status as 400, rendered.headers);
  });
  const call = (method: string, path: string, body?: unknown, key = 'k1') =>
    app.request(path, {
      method,
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  return { app, call, run, sessions, tickets, ended, advance: (ms: number) => (clock += ms) };
}
