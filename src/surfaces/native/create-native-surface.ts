import type { Hono, MiddlewareHandler } from 'hono';
import type { UpgradeWebSocket } from 'hono/ws';
import type { AgentPolicy } from '../../agent/agent-policy.js';
import type { SystemPromptPlacement } from '../../claude/run-plan.js';
import type { ErrorRenderer } from '../../core/gateway-error.js';
import type { RunService } from '../../core/run-service.js';
import type { NativeSessionStore } from '../../store/native-sessions.js';
import { nativeAgentResolver } from './agent.js';
import { nativeOpenApi } from './openapi.js';
import { nativeRateLimitHeaders } from './rate-limit-headers.js';
import { renderNativeError } from './render-error.js';
import { nativeRoutes } from './route.js';
import { createNativeSessions, type NativeSessions } from './session-service.js';
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
  endConversation?: (origin: { callerId: string; conversationId: string }) => Promise<void>;
  upgradeWebSocket?: UpgradeWebSocket;
  version: string;
}

export interface NativeSurface {
  /** Routes at the root (they carry their /api/v1 prefix). */
  routes: Hono;
  /** Goes before header auth: authenticates WebSocket upgrades that offer a ticket. */
  ticketAuth: MiddlewareHandler;
  /** Goes around the key-policy middleware: X-RateLimit-* on /api/ responses, its 429 included. */
  rateLimitHeaders: MiddlewareHandler;
  /** For the error funnel: paths under this prefix get the native error shape. */
  errorPrefix: '/api/';
  renderError: ErrorRenderer;
  openApi: ReturnType<typeof nativeOpenApi>;
  sessions: NativeSessions;
}

const WS_TICKET_TTL_MS = 30_000;

/** The native API (issue 10), assembled from what the gateway already has. */
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
  });
  const tickets = createWsTickets({ ttlMs: WS_TICKET_TTL_MS });
  return {
    routes: nativeRoutes({
      sessions,
      modelIds: deps.models.ids,
      keepAliveMs: deps.keepAliveMs,
      tickets,
      version: deps.version,
      ...(deps.upgradeWebSocket ? { upgradeWebSocket: deps.upgradeWebSocket } : {}),
    }),
    ticketAuth: wsTicketAuth(tickets),
    rateLimitHeaders: nativeRateLimitHeaders('/api/'),
    errorPrefix: '/api/',
    renderError: renderNativeError,
    openApi: nativeOpenApi(),
    sessions,
  };
}
