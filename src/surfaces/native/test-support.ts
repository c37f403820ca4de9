/**
 * Shared by the native surface's tests: its routes over the sessions service (in-memory store,
 * scripted runs) behind the gateway's own auth step, which takes the presented key as the key id.
 * Test-only: excluded from the build.
 */
import { Hono } from 'hono';
import { requestId } from 'hono/request-id';
import type { UpgradeWebSocket } from 'hono/ws';
import '../../http/context-variables.js';
import type { Admit } from '../../contract/admission.js';
import { GatewayError } from '../../contract/gateway-error.js';
import type { Principal } from '../../contract/key-policy.js';
import type { NativeSessionStore } from '../../contract/ports/native-sessions.js';
import type { RecordTurn } from '../../core/accounting/turn-accounting.js';
import type { Authenticator } from '../../core/authenticator.js';
import type { Script } from '../../core/test-support.js';
import { rateLimitHeaders } from '../../http/rate-limit-headers.js';
import { requireApiKey } from '../../http/require-api-key.js';
import { createWsTickets, type WsTickets } from '../../http/ws-tickets.js';
import { echo, principal, sessionsForTest } from '../../services/native/test-support.js';
import { nativeRateLimitHeaders } from './rate-limit-headers.js';
import { renderNativeError } from './render-error.js';
import { nativeRoutes } from './route.js';

export { echo, memoryNativeSessions, usage } from '../../services/native/test-support.js';

/** Any presented key is valid and names its principal (with the policy `policies` gives it). */
function anyKey(policies: Record<string, Principal['policy']>): Authenticator {
  return {
    isOpen: async () => false,
    hasAnyKey: async () => true,
    authenticate: async (presented) =>
      presented ? { kind: 'ok', principal: principal(presented, policies[presented]) } : { kind: 'missing' },
  };
}

export function setup(
  script: Script = echo,
  options: {
    maxPerKey?: number;
    upgradeWebSocket?: UpgradeWebSocket;
    keepAliveMs?: number;
    recordTurn?: RecordTurn;
    /** Key policy in place of the gateway's own. */
    admit?: Admit;
    /** Policies of keys by id; other keys have none. */
    policies?: Record<string, Principal['policy']>;
    /** Another gateway's store, to act as a second gateway on one database. */
    store?: NativeSessionStore;
  } = {},
) {
  const tickets: WsTickets = createWsTickets({ ttlMs: 30_000 });
  const { sessions, run, ended, advance } = sessionsForTest(script, options);
  const app = new Hono();
  app.use(requestId());
  app.use(rateLimitHeaders({ standard: () => ({}), extraFor: () => nativeRateLimitHeaders }));
  app.use(requireApiKey(anyKey(options.policies ?? {}), tickets));
  app.route(
    '/',
    nativeRoutes({
      sessions,
      modelIds: (allowed) => ['sonnet', 'opus'].filter((id) => !allowed || allowed.includes(id)),
      keepAliveMs: options.keepAliveMs ?? 60_000,
      tickets,
      version: 'test',
      ...(options.recordTurn ? { recordTurn: options.recordTurn } : {}),
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
  return { app, call, run, sessions, tickets, ended, advance };
}
