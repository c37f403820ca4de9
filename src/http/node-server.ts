import { type Server, STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { serve, type WebSocketServerLike } from '@hono/node-server';
import { answersOnSocket } from './node-response.js';
import { upgradeRefusals } from './upgrade-refusals.js';

export interface ServerLimits {
  /** Time to receive a request's headers (slowloris). */
  headersTimeoutMs: number;
  /** Time to receive a whole request, body included; 0 turns it off. Responses are not limited. */
  requestTimeoutMs: number;
  /** How long an idle keep-alive connection stays open. */
  keepAliveTimeoutMs: number;
  /** Open connections at once; more are closed as they arrive. */
  maxConnections: number;
}

export interface NodeServerOptions {
  fetch: (request: Request, env?: unknown) => Response | Promise<Response>;
  port: number;
  hostname: string;
  limits: ServerLimits;
  onListening?: (address: { address: string; port: number }) => void;
  /** Upgrades go through `fetch` (the app) to the route that accepts them (the native API's /ws). */
  websocket?: { server: WebSocketServerLike };
}

/** How often Node checks the header and request deadlines (its default, 30 s, would blur them). */
const MAX_CHECK_INTERVAL_MS = 1_000;

/**
 * The gateway's HTTP server, the same in production and tests: explicit limits, errors of Node's own
 * HTTP parser answered in the OpenAI error shape instead of a bodiless status line, and refused
 * WebSocket upgrades answered with the app's error body.
 */
export function startNodeServer(options: NodeServerOptions): Server {
  const { limits } = options;
  const fetch = answersOnSocket(options.fetch);
  const refusals = options.websocket ? upgradeRefusals(fetch) : undefined;
  const server = serve(
    {
      fetch: refusals?.fetch ?? fetch,
      port: options.port,
      hostname: options.hostname,
      ...(options.websocket ? { websocket: options.websocket } : {}),
      serverOptions: {
        headersTimeout: limits.headersTimeoutMs,
        requestTimeout: limits.requestTimeoutMs,
        keepAliveTimeout: limits.keepAliveTimeoutMs,
        connectionsCheckingInterval: Math.min(
          MAX_CHECK_INTERVAL_MS,
          Math.max(10, limits.headersTimeoutMs / 2),
        ),
      },
    },
    options.onListening,
  ) as Server;
  server.maxConnections = limits.maxConnections;
  server.on('clientError', answerClientError);
  if (refusals) server.on('upgrade', refusals.onUpgrade);
  return server;
}

interface ParserError extends Error {
  code?: string;
}

/**
 * Node emits 'clientError' for requests its parser refuses (headers too large, a malformed request
 * line, Content-Length with Transfer-Encoding) and for header/request timeouts. With a listener
 * installed Node writes nothing itself, so the answer is written here, raw, and the connection closed.
 */
export function answerClientError(error: ParserError, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const { status, code, message } = describeClientError(error.code);
  const body = JSON.stringify({ error: { message, type: 'invalid_request_error', param: null, code } });
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
      'Content-Type: application/json\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

function describeClientError(code: string | undefined): { status: number; code: string; message: string } {
  if (code === 'HPE_HEADER_OVERFLOW') {
    return { status: 431, code: 'headers_too_large', message: 'The request headers are too large.' };
  }
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    return { status: 408, code: 'request_timeout', message: 'The request was not received in time.' };
  }
  return {
    status: 400,
    code: 'malformed_http_request',
    message: 'The HTTP request is malformed (request line, headers or message framing).',
  };
}

export function serverLimitsFrom(config: {
  SERVER_HEADERS_TIMEOUT_MS: number;
  SERVER_REQUEST_TIMEOUT_MS: number;
  SERVER_KEEP_ALIVE_TIMEOUT_MS: number;
  SERVER_MAX_CONNECTIONS: number;
}): ServerLimits {
  return {
    headersTimeoutMs: config.SERVER_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: config.SERVER_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: config.SERVER_KEEP_ALIVE_TIMEOUT_MS,
    maxConnections: config.SERVER_MAX_CONNECTIONS,
  };
}
