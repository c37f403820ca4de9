import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { RunService } from '../contract/run-service.js';
import type { ModelCatalog } from '../core/model-catalog.js';
import type { TokenCounter } from '../core/tokens/token-counter.js';
import type { Surface } from '../http/surface.js';
import type { GatewayStore } from '../store/gateway-store.js';
import { anthropicMessagesSurface } from '../surfaces/anthropic-messages/surface.js';
import { openAIChatSurface } from '../surfaces/openai/chat/surface.js';
import type { ToClaudeContext } from '../surfaces/openai/chat/to-plan.js';
import { completionsSurface } from '../surfaces/openai/completions/surface.js';
import { noCapabilitySurface } from '../surfaces/openai/surface.js';

export interface WireSurfacesSetup {
  config: Config;
  store: GatewayStore;
  runs: RunService;
  models: ModelCatalog;
  chatPlanContext: ToClaudeContext;
  /** One tokenizer for every count (it takes about a second to load). */
  countTokens: TokenCounter;
  keepAliveMs: number;
  logger: Logger;
}

/**
 * The OpenAI and Anthropic wires: one entry per surface, its routes and its error bodies. The
 * Responses surface, which runs background responses, is built apart (responses.ts).
 */
export function buildWireSurfaces(setup: WireSurfacesSetup): Surface[] {
  const { config, runs, models, keepAliveMs } = setup;
  const attachments = { maxBytes: config.MAX_IMAGE_BYTES, remoteImages: config.REMOTE_IMAGES };
  return [
    openAIChatSurface({
      runs,
      planContext: setup.chatPlanContext,
      keepAliveMs,
      completions: setup.store.chatCompletions,
      // Stored completions live as long as stored responses do.
      storedTtlMs: config.SESSION_TTL_MS,
      onStoreError: (err) => setup.logger.warn({ err }, 'storing a chat completion failed'),
    }),
    anthropicMessagesSurface({
      runs,
      planContext: { models, systemPromptPlacement: config.SYSTEM_PROMPT_PLACEMENT, attachments },
      countTokens: setup.countTokens,
      keepAliveMs,
    }),
    completionsSurface({ runs, planContext: { models }, keepAliveMs }),
    noCapabilitySurface(),
  ];
}
