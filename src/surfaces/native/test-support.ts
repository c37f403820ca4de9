import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import type { UpgradeWebSocket } from 'hono/ws';
import '../../http/context-variables.js';
import { type Admit, openAdmission, type RunAsk } from '../../contract/admission.js';
import { GatewayError } from '../../contract/gateway-error.js';
import type { Principal } from '../../contract/key-policy.js';
import type { NativeSessionStore } from '../../contract/ports/native-sessions.js';
import { type RunEvent, ZERO_USAGE } from '../../contract/run-events.js';
import type { RunRequest, RunService } from '../../contract/run-service.js';
import type { RecordTurn } from '../../core/accounting/turn-accounting.js';
import { createKeyAdmission } from '../../core/admission/key-admission.js';
import { KeyConcurrency } from '../../core/admission/key-concurrency.js';
import { connectStore } from '../../store/engine.js';
import { createNativeSessionStore } from '../../store/kysely-native-sessions.js';
import { migrateToLatest } from '../../store/migrations.js';
import { renderNativeError } from './render-error.js';
import { nativeRoutes } from './route.js';
import { createNativeSessions } from './session-service.js';
import { createWsTickets, type WsTickets, wsTicketAuth } from './ws-tickets.js';

// Shared by the native surface's tests: a scripted RunService and the routes over an in-memory store.

export type Script = (request: RunRequest) => AsyncGenerator<RunEvent, void, undefined>;

/** Key policy as the gateway applies it, over an in-memory slot count and no recorded spend. */
export const keyAdmission = (): Admit =>
  createKeyAdmission({
    countRequest: async () => {},
    concurrency: new KeyConcurrency(),
    spentUsd: async () => 0,
  });

/** A RunService that admits by key policy, plays scripted events, and remembers what it was asked. */
export function fakeRunService(script: Script, admit: Admit = keyAdmission()) {
  const requests: RunRequest[] = [];
  const admitted: Array<{ principal: Principal | undefined; ask: RunAsk }> = [];
  const service: RunService = {
    admit(principal, ask) {
      admitted.push({ principal, ask });
      return principal ? admit(principal, ask) : openAdmission();
    },
    run(request) {
      requests.push(request);
      return script(request);
    },
  };
  return { service, requests, admitted };
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

/** The real Kysely store over an in-memory SQLite database; each call waits for its migrations. */
export function memoryNativeSessions(): NativeSessionStore {
  const { db, engine } = connectStore({ engine: 'sqlite', file: ':memory:' });
  const ready = migrateToLatest(db, engine);
  const store = createNativeSessionStore(db);
  return {
    create: async (record) => ready.then(() => store.create(record)),
    get: async (id) => ready.then(() => store.get(id)),
    list: async (ownerId) => ready.then(() => store.list(ownerId)),
    count: async (ownerId) => ready.then(() => store.count(ownerId)),
    createdCount: async () => ready.then(() => store.createdCount()),
    messages: async (id) => ready.then(() => store.messages(id)),
    recordTurn: async (id, turn) => ready.then(() => store.recordTurn(id, turn)),
    delete: async (id) => ready.then(() => store.delete(id)),
    touch: async (id, at, expiresAt) => ready.then(() => store.touch(id, at, expiresAt)),
    expired: async (now) => ready.then(() => store.expired(now)),
  };
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
    recordTurn?: RecordTurn;
    /** Key policy in place of admitting everything. */
    admit?: Admit;
    /** Another gateway's store, to act as a second gateway on one database. */
    store?: NativeSessionStore;
  } = {},
) {
  const tickets: WsTickets = createWsTickets({ ttlMs: 30_000 });
  const run = fakeRunService(script, options.admit);
  const ended: string[] = [];
  let clock = 1_000_000;
  const sessions = createNativeSessions({
    store: options.store ?? memoryNativeSessions(),
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
    ...(options.recordTurn ? { recordTurn: options.recordTurn } : {}),
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
