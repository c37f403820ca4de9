import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { BackgroundRunHooks } from '../contract/finished-request.js';
import { CHANNELS } from '../contract/ports/notifications.js';
import type { RunService } from '../contract/run-service.js';
import type { ModelCatalog } from '../core/model-catalog.js';
import type { TokenCounter } from '../core/tokens/token-counter.js';
import type { Surface } from '../http/surface.js';
import type { GatewayStore } from '../store/gateway-store.js';
import { postgresLogSignals } from '../store/postgres-log-signals.js';
import { createBackgroundResponses } from '../surfaces/openai/responses/background.js';
import { openAIResponsesSurface } from '../surfaces/openai/responses/surface.js';

const STOPPED_REASON = 'The gateway stopped while this response was running.';

export interface ResponsesSetup {
  config: Config;
  store: GatewayStore;
  runs: RunService;
  models: ModelCatalog;
  countTokens: TokenCounter;
  /** Where the audit row of a background response's run goes once it ended. */
  /** The audit hooks of a run that outlives its request, recorded under `path`. */
  backgroundRun(path: string): BackgroundRunHooks;
  keepAliveMs: number;
  logger: Logger;
}

/** The Responses surface and its background responses, which end (recorded as failed) with the gateway. */
export interface Responses {
  surface: Surface;
  stopAll(): Promise<void>;
}

export async function buildResponses(setup: ResponsesSetup): Promise<Responses> {
  const { config, store, logger } = setup;
  const onStoreError = (err: unknown) => logger.warn({ err }, 'storing a response failed');
  // On a shared database a background response's events and its cancel reach every gateway.
  const signals = store.notifications
    ? postgresLogSignals(store.notifications, {
        appended: CHANNELS.responseEvents,
        cancel: CHANNELS.responseCancel,
      })
    : undefined;
  const background = createBackgroundResponses({
    store: store.responses,
    ...(signals ? { signals } : {}),
    // A run is bounded by REQUEST_TIMEOUT_MS; following one elsewhere stops a minute later.
    maxFollowMs: config.REQUEST_TIMEOUT_MS + 60_000,
    onStoreError,
  });
  // A background response left running by an earlier gateway process never finishes.
  const abandoned = await background.failAbandoned(STOPPED_REASON);
  if (abandoned > 0)
    logger.warn({ abandoned }, 'background responses left running by a stopped gateway failed');
  const surface = openAIResponsesSurface({
    runs: setup.runs,
    store: store.responses,
    background,
    countTokens: setup.countTokens,
    resolveModel: (model) => setup.models.resolve(model),
    systemPromptPlacement: config.SYSTEM_PROMPT_PLACEMENT,
    attachments: { maxBytes: config.MAX_IMAGE_BYTES, remoteImages: config.REMOTE_IMAGES },
    ttlMs: config.SESSION_TTL_MS,
    keepAliveMs: setup.keepAliveMs,
    onStoreError,
    backgroundRun: setup.backgroundRun('/v1/responses'),
  });
  return { surface, stopAll: () => background.stopAll(STOPPED_REASON) };
}
