/**
 * The relay Claude Code processes send their API requests through: a loopback HTTP server in the
 * gateway that takes Claude Code's environment block (working directory, OS, ...) out of Messages
 * requests and passes everything else on unchanged, to the upstream each process was given.
 *
 * Built on Node's `http` server and undici (a dependency already, and Node's own fetch): undici's
 * `request` hands back the upstream body as a stream of the bytes received, undecoded, keeps
 * connections to the upstream alive across requests, and goes through HTTP(S)_PROXY when one is
 * set. A proxy library (httpxy, a devDependency of the test balancer) would stream too, but could
 * not change the body of the requests that need it without buffering them through its own hooks.
 */
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import { Agent, type Dispatcher, EnvHttpProxyAgent } from 'undici';
import { type ScrubOptions, withoutHostDetails } from './environment-block.js';
import { type ProxySettings, RelayRoutes, type RelayTarget } from './relay-routes.js';
import { TurnHolds } from './turn-holds.js';

/** The requests whose bodies hold a conversation: `POST .../v1/messages` and its token count. */
const CONVERSATION_PATH = /\/v1\/messages(\/count_tokens)?$/;
/** Headers of one hop: each side of the relay has its own connection. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authorization',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'host',
]);
/** The header Claude Code names its session in, on every API request. */
const SESSION_HEADER = 'x-claude-code-session-id';
/**
 * Longer than any pause of Claude Code between two requests of a turn, so a kept-alive connection is
 * seldom closed by the relay just as the process reuses it.
 */
const KEEP_ALIVE_MS = 60_000;

export interface ScrubRelayOptions {
  /**
   * The gateway's own directories (its data directory, Claude Code's config and temp dirs): a block
   * naming a working directory outside them (an agent run's, which the client chose) keeps that line.
   */
  ownDirectories: readonly string[];
  logger: Pick<Logger, 'debug' | 'warn'>;
}

export interface ScrubRelay {
  /**
   * The base URL (for ANTHROPIC_BASE_URL) through which a process reaches its upstream, through the
   * proxy it would have used: the same for the same target for the relay's life.
   */
  baseUrlFor(target: RelayTarget): string;
  /** Sessions whose API requests wait here until their turn may run (see `TurnHolds`). */
  readonly holds: TurnHolds;
  /** Stops listening, ends open connections and the upstream connections. */
  close(): Promise<void>;
}

/** Listens on 127.0.0.1, on a port the system picks. */
export async function startScrubRelay(options: ScrubRelayOptions): Promise<ScrubRelay> {
  const routes = new RelayRoutes();
  const dispatchers = new Dispatchers();
  const holds = new TurnHolds();
  const scrub: ScrubOptions = {
    keepsWorkingDirectory: (directory) => !options.ownDirectories.some((own) => isWithin(directory, own)),
  };
  const server = createServer({ noDelay: true, keepAliveTimeout: KEEP_ALIVE_MS }, (req, res) => {
    void relay(req, res, { routes, dispatchers, scrub, holds, logger: options.logger });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    baseUrlFor: (target) => `http://127.0.0.1:${port}/${routes.idFor(target)}`,
    holds,
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await dispatchers.destroy();
    },
  };
}

interface RelayDeps {
  routes: RelayRoutes;
  dispatchers: Dispatchers;
  scrub: ScrubOptions;
  holds: TurnHolds;
  logger: Pick<Logger, 'debug' | 'warn'>;
}

async function relay(req: IncomingMessage, res: ServerResponse, deps: RelayDeps): Promise<void> {
  const resolved = deps.routes.resolve(req.url ?? '/');
  if (!resolved) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('unknown relay route\n');
    return;
  }
  const target = resolved.url;
  // The upstream request ends when Claude Code goes away (an interrupted run, a timeout of its own).
  const abort = new AbortController();
  res.once('close', () => {
    if (!res.writableFinished) abort.abort();
  });
  try {
    const session = req.headers[SESSION_HEADER];
    const [body, passes] = await Promise.all([
      requestBody(req, target, deps.scrub),
      (typeof session === 'string' ? deps.holds.passage(session) : undefined) ?? true,
    ]);
    // A held turn that will not run here: its process is gone by now, and nothing reaches the API.
    if (!passes) {
      res.destroy();
      return;
    }
    const headers = forwardedHeaders(req.headers, body);
    const upstream = await deps.dispatchers.for(resolved.proxy).request({
      origin: target.origin,
      path: `${target.pathname}${target.search}`,
      method: req.method as Dispatcher.HttpMethod,
      headers,
      body: body ?? (req.method === 'GET' || req.method === 'HEAD' ? undefined : req),
      signal: abort.signal,
    });
    res.writeHead(upstream.statusCode, responseHeaders(upstream.headers));
    // Sent at once, not with the first body chunk (Node's default): Claude Code sees the answer start
    // when the API started it.
    res.flushHeaders();
    await pipeline(upstream.body, res);
  } catch (error) {
    if (abort.signal.aborted) return;
    deps.logger.warn({ err: error, upstream: target.origin }, 'the relay to the Claude API failed');
    // Closed, not answered: Claude Code sees a connection error (ECONNRESET, whatever the upstream's
    // was) and retries or reports it as it would have; the cause is in the log above.
    res.destroy();
  }
}

/**
 * A conversation request's body without the environment block (read whole, as its JSON must be);
 * undefined for any other request, whose body streams through as it comes.
 */
async function requestBody(
  req: IncomingMessage,
  target: URL,
  scrub: ScrubOptions,
): Promise<Buffer | undefined> {
  if (req.method !== 'POST' || !CONVERSATION_PATH.test(target.pathname)) return undefined;
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const sent = Buffer.concat(chunks);
  // A compressed body is passed on as it is (Claude Code does not compress its requests).
  if (req.headers['content-encoding'] !== undefined) return sent;
  let parsed: unknown;
  try {
    parsed = JSON.parse(sent.toString('utf8'));
  } catch {
    return sent; // Not JSON: the API answers it, not the relay.
  }
  const scrubbed = withoutHostDetails(parsed, scrub);
  return scrubbed === parsed ? sent : Buffer.from(JSON.stringify(scrubbed));
}

/** Claude Code's headers (its credentials among them) as sent, for a body of the length it now has. */
function forwardedHeaders(
  headers: IncomingHttpHeaders,
  body: Buffer | undefined,
): Record<string, string | string[]> {
  const forwarded = endToEnd(headers);
  if (body !== undefined) forwarded['content-length'] = String(body.length);
  return forwarded;
}

/** The upstream's answer headers as sent (retry-after and the rate-limit headers included), but those of one hop. */
function responseHeaders(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  return endToEnd(headers);
}

function endToEnd(headers: IncomingHttpHeaders): Record<string, string | string[]> {
  const named = new Set(
    String(headers.connection ?? '')
      .toLowerCase()
      .split(/\s*,\s*/),
  );
  const kept: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined && !HOP_BY_HOP.has(name) && !named.has(name)) kept[name] = value;
  }
  return kept;
}

function isWithin(directory: string, own: string): boolean {
  const relative = path.relative(own, directory);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * Connections to the upstreams, kept alive, one pool per outbound proxy; no timeouts of their own
 * (Claude Code's API_TIMEOUT_MS bounds a request, and its end aborts the upstream one).
 */
class Dispatchers {
  readonly #byProxy = new Map<string, Dispatcher>();

  for(proxy: ProxySettings): Dispatcher {
    const key = JSON.stringify([proxy.httpProxy, proxy.httpsProxy, proxy.noProxy]);
    let dispatcher = this.#byProxy.get(key);
    if (dispatcher === undefined) {
      dispatcher = upstreamDispatcher(proxy);
      this.#byProxy.set(key, dispatcher);
    }
    return dispatcher;
  }

  async destroy(): Promise<void> {
    await Promise.all([...this.#byProxy.values()].map((dispatcher) => dispatcher.destroy()));
  }
}

function upstreamDispatcher(proxy: ProxySettings): Dispatcher {
  const timeouts = { headersTimeout: 0, bodyTimeout: 0 };
  if (!proxy.httpProxy && !proxy.httpsProxy) return new Agent(timeouts);
  // Empty strings, not undefined: undefined would make undici read the gateway's own environment.
  return new EnvHttpProxyAgent({
    ...timeouts,
    httpProxy: proxy.httpProxy ?? '',
    httpsProxy: proxy.httpsProxy ?? '',
    noProxy: proxy.noProxy ?? '',
  });
}
