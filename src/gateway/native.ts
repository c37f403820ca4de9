import { upgradeWebSocket } from '@hono/node-server';
import type { Config } from '../config.js';
import type { BeginRequest, FinishedRequest } from '../contract/finished-request.js';
import type { RunService } from '../contract/run-service.js';
import { createTurnAccounting } from '../core/accounting/turn-accounting.js';
import type { AgentPolicy } from '../core/agent-policy.js';
import type { ModelCatalog } from '../core/model-catalog.js';
import type { Surface } from '../http/surface.js';
import type { WsTicketIssuer } from '../http/ws-tickets.js';
import { nativeAgentResolver } from '../services/native/agent.js';
import { createNativeSessions, type NativeSessions } from '../services/native/session-service.js';
import type { GatewayStore } from '../store/gateway-store.js';
import { nativeSurface } from '../surfaces/native/surface.js';
import { GATEWAY_VERSION } from '../version.js';
import type { Conversations } from './conversations.js';

export interface NativeSetup {
  config: Config;
  store: GatewayStore;
  runs: RunService;
  models: ModelCatalog;
  agentPolicy: AgentPolicy | undefined;
  conversations: Conversations;
  tickets: WsTicketIssuer;
  beginRequest: BeginRequest;
  onFinished(request: FinishedRequest): Promise<void>;
  keepAliveMs: number;
}

/** The native sessions (a service beside the core) and their API over REST, SSE and WebSocket. */
export interface Native {
  sessions: NativeSessions;
  surface: Surface;
}

export function buildNative(setup: NativeSetup): Native {
  const { config, models } = setup;
  const defaultModel = models.ids[0];
  if (defaultModel === undefined) throw new Error('the native API needs at least one served model');
  const endConversation = setup.conversations.endConversation;
  const sessions = createNativeSessions({
    store: setup.store.nativeSessions,
    runs: setup.runs,
    planContext: {
      resolveModel: (name) => models.resolve(name),
      allows: (allowed, requested) => models.allows(allowed, requested),
      defaultModel,
      systemPromptPlacement: config.SYSTEM_PROMPT_PLACEMENT,
      ...(setup.agentPolicy ? { resolveAgent: nativeAgentResolver(setup.agentPolicy) } : {}),
    },
    ttlMs: config.SESSION_TTL_MS,
    maxPerKey: config.NATIVE_SESSIONS_PER_KEY,
    maxTotal: config.NATIVE_SESSIONS_MAX,
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    // A deleted session's Claude Code conversation ends at once, on one machine or on every gateway.
    ...(endConversation ? { endConversation } : {}),
  });
  const surface = nativeSurface({
    sessions,
    modelIds: (allowed) => models.idsAllowed(allowed),
    keepAliveMs: setup.keepAliveMs,
    tickets: setup.tickets,
    recordTurn: createTurnAccounting({ beginRequest: setup.beginRequest, onFinished: setup.onFinished }),
    upgradeWebSocket,
    version: GATEWAY_VERSION,
  });
  return { sessions, surface };
}
