import type { MiddlewareHandler } from 'hono';
import type { UpgradeWebSocket } from 'hono/ws';
import type { NativeSessionStore } from '../../contract/ports/native-sessions.js';
import type { SystemPromptPlacement } from '../../contract/run-plan.js';
import type { RunService } from '../../contract/run-service.js';
import type { RecordTurn } from '../../core/accounting/turn-accounting.js';
import type { AgentPolicy } from '../../core/agent-policy.js';
import type { Surface } from '../../http/surface.js';
import { nativeAgentResolver } from './agent.js';
import { nativeRateLimitHeaders, type RateLimitPeek } from './rate-limit-headers.js';
import { renderNativeError } from './render-error.js';
import { nativeRoutes } from './route.js';
import { createNativeSessions, type NativeConversation, type NativeSessions } from './session-service.js';
import { createWsTickets, wsTicketAuth } from './ws-tickets.js';

export interface NativeSurfaceDeps {
  store: NativeSessionStore;
  runService: RunService;
  models: { ids: readonly string[]; resolve(name: string): string | undefined };
  systemPromptPlacement: SystemPromptPlacement;
  /** Present when AGENT_MODE is on. */
  agentPolicy?: AgentPolicy;
  ttlMs: number;
  maxPerKey: number;
  maxTotal: number;
  requestTimeoutMs: number;
  keepAliveMs: number;
  endConversation?: (origin: NativeConversation) => Promise<void>;
  /** Audit rows and metrics of WebSocket and EventSource turns (the HTTP middleware records POSTs). */
  recordTurn?: RecordTurn;
  /** A limited key's rpm standing, for X-RateLimit-* on requests the limiter does not count. */
  rateLimitOf?: RateLimitPeek;
  upgradeWebSocket?: UpgradeWebSocket;
  version: string;
}

export interface NativeSurface {
  /** For the app: routes at the root (they carry their /api/v1 prefix), native errors under /api. */
  surface: Surface;
  /** Goes before header auth: authenticates WebSocket upgrades that offer a ticket. */
  ticketAuth: MiddlewareHandler;
  /** Goes around the key-policy middleware: X-RateLimit-* on /api/ responses, its 429 included. */
  rateLimitHeaders: MiddlewareHandler;
  sessions: NativeSessions;
}

const WS_TICKET_TTL_MS = 30_000;

/** The native API, assembled from what the gateway already has. */
export function createNativeSurface(deps: NativeSurfaceDeps): NativeSurface {
  const defaultModel = deps.models.ids[0];
  if (defaultModel === undefined) throw new Error('the native API needs at least one served model');
  const sessions = createNativeSessions({
    store: deps.store,
    runService: deps.runService,
    planContext: {
      resolveModel: (name) => deps.models.resolve(name),
      defaultModel,
      systemPromptPlacement: deps.systemPromptPlacement,
      ...(deps.agentPolicy ? { resolveAgent: nativeAgentResolver(deps.agentPolicy) } : {}),
    },
    ttlMs: deps.ttlMs,
    maxPerKey: deps.maxPerKey,
    maxTotal: deps.maxTotal,
    requestTimeoutMs: deps.requestTimeoutMs,
    ...(deps.endConversation ? { endConversation: deps.endConversation } : {}),
    ...(deps.recordTurn ? { recordTurn: deps.recordTurn } : {}),
  });
  const tickets = createWsTickets({ ttlMs: WS_TICKET_TTL_MS });
  const routes = nativeRoutes({
    sessions,
    modelIds: deps.models.ids,
    keepAliveMs: deps.keepAliveMs,
    tickets,
    version: deps.version,
    ...(deps.upgradeWebSocket ? { upgradeWebSocket: deps.upgradeWebSocket } : {}),
  });
  return {
    surface: {
      name: 'native',
      routes,
      mount: 'root',
      errors: [{ prefix: '/api', renderer: renderNativeError }],
    },
    ticketAuth: wsTicketAuth(tickets),
    rateLimitHeaders: nativeRateLimitHeaders('/api/', deps.rateLimitOf),
    sessions,
  };
}
