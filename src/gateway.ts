import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import { createChatService } from './chat/chat-service.js';
import { buildChildEnv } from './claude/child-env.js';
import { bundledExecutablePath, type ExecutableProbe, probeExecutable } from './claude/executable.js';
import { createModelCatalog } from './claude/model-catalog.js';
import { ProcessRegistry } from './claude/process-registry.js';
import { createClaudeRunner } from './claude/runner.js';
import type { Config } from './config.js';
import { RunQueue } from './queue/run-queue.js';
import { GATEWAY_VERSION } from './version.js';

export interface Gateway {
  app: ReturnType<typeof createApp>;
  processes: ProcessRegistry;
  queue: RunQueue;
  /** Ends every Claude Code process the gateway started. */
  shutdown(): Promise<void>;
}

const PROBE_TTL_MS = 60_000;

/** Builds the whole gateway from validated config; the only place that wires dependencies. */
export async function createGateway(
  config: Config,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): Promise<Gateway> {
  const claudeConfigDir = env.CLAUDE_CONFIG_DIR ?? path.join(config.dataDir, 'claude');
  await mkdir(config.workspaceDir, { recursive: true });
  await mkdir(claudeConfigDir, { recursive: true });

  const processes = new ProcessRegistry({
    killGraceMs: config.KILL_GRACE_MS,
    onSpawn: (pid) => logger.debug({ pid }, 'claude code started'),
    onExit: (pid) => logger.debug({ pid }, 'claude code exited'),
  });
  const queue = new RunQueue({
    maxConcurrent: config.MAX_CONCURRENCY,
    maxWaiting: config.MAX_QUEUE,
    waitTimeoutMs: config.QUEUE_TIMEOUT_MS,
  });
  const models = createModelCatalog(config.MODELS);
  const executablePath = config.CLAUDE_PATH;
  const runner = createClaudeRunner({
    executablePath,
    env: buildChildEnv(env, {
      configDir: claudeConfigDir,
      maxRetries: config.CLAUDE_MAX_RETRIES,
      apiTimeoutMs: config.CLAUDE_API_TIMEOUT_MS,
      clientApp: `claude-gateway/${GATEWAY_VERSION}`,
    }),
    workspaceDir: config.workspaceDir,
    configDir: claudeConfigDir,
    processes,
  });
  const chat = createChatService({
    runner,
    queue,
    requestTimeoutMs: config.REQUEST_TIMEOUT_MS,
    planContext: {
      models,
      systemPromptPlacement: config.SYSTEM_PROMPT_PLACEMENT,
      maxImageBytes: config.MAX_IMAGE_BYTES,
      remoteImages: config.REMOTE_IMAGES,
    },
  });

  let probe: { at: number; result: Promise<ExecutableProbe> } | undefined;
  const probeClaudeCode = () => {
    if (!probe || Date.now() - probe.at > PROBE_TTL_MS) {
      probe = { at: Date.now(), result: probeExecutable(executablePath ?? bundledExecutablePath()) };
    }
    return probe.result;
  };

  const app = createApp({
    logger,
    chat,
    models,
    health: { probeClaudeCode, version: GATEWAY_VERSION },
    maxBodyBytes: config.MAX_BODY_BYTES,
    keepAliveMs: 15_000,
    startedAt: Date.now(),
  });
  return { app, processes, queue, shutdown: () => processes.terminateAll() };
}
