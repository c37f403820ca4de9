import { randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import type { Admit } from '../contract/admission.js';
import type { ConversationIndex } from '../contract/ports/conversations.js';
import type { SystemPromptPlacement } from '../contract/run-plan.js';
import type { RunService } from '../contract/run-service.js';
import type { RunAccounts } from '../core/accounts/run-accounts.js';
import { createRemoteImageResolver } from '../core/images/resolve-remote-images.js';
import { createGuardedFetch } from '../core/images/ssrf-guard.js';
import type { ModelCatalog } from '../core/model-catalog.js';
import { plainConversationPlan } from '../core/plain-conversation.js';
import type { RunQueue } from '../core/run-queue.js';
import { createRunService } from '../core/run-service.js';
import type { Engine } from './engine.js';

export interface RunsSetup {
  config: Config;
  engine: Engine;
  queue: RunQueue;
  conversations: ConversationIndex | undefined;
  admit: Admit;
  /** Aborted when the shutdown grace is over: runs still going end with `gateway_shutting_down`. */
  stopping: AbortSignal;
  /** The pool of Claude accounts runs are placed on; undefined without ACCOUNTS_FILE. */
  accounts: RunAccounts | undefined;
}

/** The one way a plan becomes a Claude Code run, for every surface. */
export function buildRunService(setup: RunsSetup): RunService {
  const { config } = setup;
  return createRunService({
    runner: setup.engine.runner,
    queue: setup.queue,
    admit: setup.admit,
    stopping: setup.stopping,
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    ...(setup.conversations ? { sessions: setup.conversations } : {}),
    ...(setup.accounts ? { accounts: setup.accounts } : {}),
    ...(config.REMOTE_IMAGES
      ? {
          resolveRemoteImages: createRemoteImageResolver({
            maxBytes: config.MAX_IMAGE_BYTES,
            timeoutMs: config.REMOTE_IMAGE_TIMEOUT_MS,
            maxRedirects: config.REMOTE_IMAGE_MAX_REDIRECTS,
            fetch: createGuardedFetch({ allowedHosts: config.REMOTE_IMAGE_ALLOWED_HOSTS }),
          }),
        }
      : {}),
  });
}

/** Spares start with exactly the launch of a new plain conversation on the first served model. */
export function primeSpares(
  engine: Engine,
  models: ModelCatalog,
  placement: SystemPromptPlacement,
  tracksConversations: boolean,
): void {
  const [first] = models.ids;
  if (first === undefined) return;
  const plainChat = plainConversationPlan(models.resolve(first) ?? first, placement);
  if (tracksConversations) plainChat.session = { id: randomUUID(), continues: false };
  engine.warm.pool.prime(engine.plannedLaunch(plainChat));
}
