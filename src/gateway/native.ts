import { upgradeWebSocket } from '@hono/node-server';
import type { Config } from '../config.js';
import type { FinishedRequest } from '../contract/finished-request.js';
import type { RunService } from '../contract/run-service.js';
import { createTurnAccounting } from '../core/accounting/turn-accounting.js';
import type { AgentPolicy } from '../core/agent-policy.js';
import type { ModelCatalog } from '../core/model-catalog.js';
import type { RequestsPerMinute } from '../http/requests-per-minute.js';
import type { GatewayStore } from '../store/gateway-store.js';
import { createNativeSurface, type NativeSurface } from '../surfaces/native/create-native-surface.js';
import { GATEWAY_VERSION } from '../version.js';
import type { Conversations } from './conversations.js';

export interface NativeSetup {
  config: Config;
  store: GatewayStore;
  runs: RunService;
  models: ModelCatalog;
  agentPolicy: AgentPolicy | undefined;
  conversations: Conversations;
  rpm: RequestsPerMinute;
  onFinished(request: FinishedRequest): Promise<void>;
  keepAliveMs: number;
}

/** The native sessions API over REST, SSE and WebSocket. */
export function buildNative(setup: NativeSetup): NativeSurface {
  const { config } = setup;
  const endConversation = setup.conversations.endConversation;
  return createNativeSurface({
    store: setup.store.nativeSessions,
    runService: setup.runs,
    models: setup.models,
    systemPromptPlacement: config.SYSTEM_PROMPT_PLACEMENT,
    ...(setup.agentPolicy ? { agentPolicy: setup.agentPolicy } : {}),
    ttlMs: config.SESSION_TTL_MS,
    maxPerKey: config.NATIVE_SESSIONS_PER_KEY,
    maxTotal: config.NATIVE_SESSIONS_MAX,
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    keepAliveMs: setup.keepAliveMs,
    // A deleted session's Claude Code conversation ends at once, on one machine or on every gateway.
    ...(endConversation ? { endConversation } : {}),
    recordTurn: createTurnAccounting({ onFinished: setup.onFinished }),
    rateLimitOf: setup.rpm.peek,
    upgradeWebSocket,
    version: GATEWAY_VERSION,
  });
}
