import type { Server } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import type { Logger } from 'pino';
import { type Config, loadConfig } from './config.js';
import { withoutBlankValues } from './config-env.js';
import { ConfigError } from './contract/config-error.js';
import { StartupError } from './contract/startup-error.js';
import { createGateway, type Gateway } from './gateway/create-gateway.js';
import { decideExposure } from './http/exposure.js';
import { type InFlightRequests, trackInFlightRequests } from './http/in-flight-requests.js';
import { listenFailure } from './http/listen-error.js';
import { serverLimitsFrom, startNodeServer } from './http/node-server.js';
import { chooseLogFormat, createLogger } from './logger.js';

/** After runs are aborted, how long responses get to write their error frame before sockets are cut. */
const ABORT_FLUSH_MS = 2_000;
/** Bound on rounds of ending Claude Code processes that outlived their runs' abort (a backstop). */
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
  const requests = trackInFlightRequests(server);
  server.once('error', (error: NodeJS.ErrnoException) => {
    if (server.listening) throw error;
    const failure = listenFailure(error, config.HOST, config.PORT);
    if (!failure) throw error;
    // Spares may have started already: end them before leaving.
    void gateway.shutdown().finally(() => exitOnStartupError(failure));
  });

  const stop = gracefulStop({ server, requests, gateway, config, logger });
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

interface StopTarget {
  server: Server;
  requests: InFlightRequests;
  gateway: Gateway;
  config: Config;
  logger: Logger;
}

/**
 * Drain: /ready turns 503 and new API requests get 503 with Retry-After, while the listener stays
 * open (a balancer polling /ready sees the drain, not a refused connection) and running requests
 * finish. When they have, or SHUTDOWN_GRACE_MS is over (or a second signal came), runs still going
 * end with `gateway_shutting_down` in their surface's shape, no Claude Code process survives, the
 * listener closes, the store closes and the process exits.
 */
function gracefulStop({ server, requests, gateway, config, logger }: StopTarget) {
  const hurry = new AbortController();
  let stopping = false;

  async function drainAndExit(signal: string): Promise<void> {
    logger.info({ signal, graceMs: config.SHUTDOWN_GRACE_MS }, 'shutting down: finishing running requests');
    gateway.beginDrain();
    const finished = await Promise.race([
      requests.idle().then(() => true),
      delay(config.SHUTDOWN_GRACE_MS, false, { signal: hurry.signal }).catch(() => false),
    ]);
    if (!finished) {
      logger.warn('grace period over: aborting running requests');
      gateway.stopRuns();
      await Promise.race([requests.idle(), delay(ABORT_FLUSH_MS)]);
      // Whatever did not end with its run (a process that ignored the abort) ends here.
      for (let round = 0; round < MAX_ABORT_ROUNDS && gateway.processes.liveCount > 0; round++) {
        await gateway.processes.terminateAll();
      }
    }
    server.close();
    server.closeAllConnections();
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
