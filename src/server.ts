import type { Server } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { type Config, loadConfig } from './config.js';
import { withoutBlankValues } from './config-env.js';
import { ConfigError } from './contract/config-error.js';
import { StartupError } from './contract/startup-error.js';
import { createGateway, type Gateway } from './gateway/create-gateway.js';
import { decideExposure } from './http/exposure.js';
import { listenFailure } from './http/listen-error.js';
import { serverLimitsFrom, startNodeServer } from './http/node-server.js';
import { chooseLogFormat, createLogger } from './logger.js';

/** After runs are aborted, how long responses get to write their error frame before sockets are cut. */
const ABORT_FLUSH_MS = 2_000;
const IDLE_SWEEP_MS = 100;
/** Bound on abort rounds: a request that was still queued may start one more process per round. */
const MAX_ABORT_ROUNDS = 5;

/** Starts the gateway from the environment and stops it gracefully on SIGTERM/SIGINT. */
export async function runServer(rawEnv: NodeJS.ProcessEnv): Promise<void> {
  // Blank variables are unset for Claude Code too (an empty CLAUDE_CONFIG_DIR is no directory).
  const env = withoutBlankValues(rawEnv);
  let config: Config;
  let gateway: Gateway;
  let logger: Logger;
  try {
    config = loadConfig(env);
    const stdoutIsTty = process.stdout.isTTY === true;
    logger = createLogger(config.LOG_LEVEL, {
      format: chooseLogFormat(config.LOG_FORMAT, stdoutIsTty),
      colorize: stdoutIsTty,
    });
    // Some settings (agent roots, for one) can only be checked while the gateway is built.
    gateway = await createGateway(config, env, logger);
  } catch (error) {
    exitOnStartupError(error);
    throw error;
  }

  const exposure = decideExposure(config.HOST, config.AUTH_DISABLED, await gateway.authenticator.hasAnyKey());
  if (exposure === 'refuse') {
    process.stderr.write(
      `claude-gateway: refusing to listen on ${config.HOST} without API keys: anyone who can reach it could run Claude Code on your account.\n` +
        '  Create a key (claude-gateway keys create --name NAME), set GATEWAY_API_KEYS, bind HOST=127.0.0.1,\n' +
        '  or set AUTH_DISABLED=true if something in front of the gateway already authenticates.\n',
    );
    await gateway.shutdown();
    process.exit(1);
  }
  if (exposure === 'open-loopback') logger.warn('no API keys configured: open to local clients only');
  if (exposure === 'auth-disabled')
    logger.warn('AUTH_DISABLED=true: every request is accepted without a key');

  const server = startNodeServer({
    fetch: gateway.app.fetch,
    port: config.PORT,
    hostname: config.HOST,
    limits: serverLimitsFrom(config),
    websocket: gateway.websocket,
    onListening: (info) => logger.info({ host: info.address, port: info.port }, 'claude-gateway listening'),
  });
  server.once('error', (error: NodeJS.ErrnoException) => {
    if (server.listening) throw error;
    const failure = listenFailure(error, config.HOST, config.PORT);
    if (!failure) throw error;
    // Spares may have started already: end them before leaving.
    void gateway.shutdown().finally(() => exitOnStartupError(failure));
  });

  const stop = gracefulStop(server, gateway, config, logger);
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

/**
 * A bad setting, or something start-up needs that is not there, ends the process with a clear
 * message and status 1, never a stack trace.
 */
function exitOnStartupError(error: unknown): void {
  if (!(error instanceof ConfigError) && !(error instanceof StartupError)) return;
  process.stderr.write(`claude-gateway: ${error.message}\n`);
  process.exit(1);
}

/**
 * Stop accepting (listener closed, /ready 503, new requests 503), let running requests finish for
 * SHUTDOWN_GRACE_MS, then abort their runs (streams get an error frame), cut what is left, make sure
 * no Claude Code process survives, close the store and exit. A second signal skips the wait.
 */
function gracefulStop(server: Server, gateway: Gateway, config: Config, logger: Logger) {
  const hurry = new AbortController();
  let stopping = false;

  async function drainAndExit(signal: string): Promise<void> {
    logger.info({ signal, graceMs: config.SHUTDOWN_GRACE_MS }, 'shutting down: finishing running requests');
    gateway.beginDrain();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Keep-alive sockets turn idle as their responses finish; close them then, not at keepAliveTimeout.
    const closeIdle = setInterval(() => server.closeIdleConnections(), IDLE_SWEEP_MS);
    server.closeIdleConnections();
    const finished = await Promise.race([
      closed.then(() => true),
      delay(config.SHUTDOWN_GRACE_MS, false, { signal: hurry.signal }).catch(() => false),
    ]);
    if (!finished) {
      logger.warn('grace period over: aborting running requests');
      await gateway.processes.terminateAll();
      await Promise.race([closed, delay(ABORT_FLUSH_MS)]);
      server.closeAllConnections();
      // Requests that were still queued start a process as slots free up; their aborted signals end it.
      for (let round = 0; round < MAX_ABORT_ROUNDS && gateway.processes.liveCount > 0; round++) {
        await gateway.processes.terminateAll();
      }
    }
    clearInterval(closeIdle);
    await gateway.shutdown();
    logger.info('stopped');
    process.exit(0);
  }

  return (signal: string) => {
    if (stopping) {
      hurry.abort();
      return;
    }
    stopping = true;
    drainAndExit(signal).catch((err: unknown) => {
      logger.error({ err }, 'shutdown failed');
      process.exit(1);
    });
  };
}
