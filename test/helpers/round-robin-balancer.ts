import { createHash } from 'node:crypto';
import { Agent, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { createProxyServer } from 'httpxy';

/**
 * A test load balancer, proxied by httpxy (unjs' maintained http-proxy). Each request goes to the
 * next upstream in turn (round robin), or, with `affinity`, to the upstream its affinity value
 * hashes to, as `deploy/nginx.conf` does (`hash ... consistent`). A gateway that refuses the
 * connection is skipped for the next one (nginx's `proxy_next_upstream error`). Responses are piped
 * as they arrive, so SSE streams pass unbuffered, as nginx with `proxy_buffering off` passes them.
 */
export interface RoundRobinBalancer {
  /** The balancer's origin, e.g. http://127.0.0.1:41234. */
  readonly origin: string;
  /** Which upstream (index into the list given) each request went to, in arrival order. */
  readonly served: readonly number[];
  close(): Promise<void>;
}

export interface BalancerOptions {
  /**
   * What keeps a client on one upstream: the request's affinity value (deploy/nginx.conf's hash
   * key), or undefined for the next in turn.
   */
  affinity?: (req: IncomingMessage) => string | undefined;
}

/** nginx.conf's affinity: the conversation header when a client names one, else its API key. */
export function gatewayAffinity(req: Pick<IncomingMessage, 'headers'>): string | undefined {
  const header = (name: string) => {
    const value = req.headers[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const key = header('authorization') ?? header('x-api-key') ?? '';
  const conversation = header('x-conversation-id');
  return conversation === undefined ? key || undefined : `${key} ${conversation}`;
}

/** The upstream (index) an affinity value goes to, of `count`. */
export function upstreamFor(affinity: string, count: number): number {
  return createHash('sha256').update(affinity).digest().readUInt32BE(0) % count;
}

export async function startRoundRobinBalancer(
  upstreams: readonly string[],
  options: BalancerOptions = {},
): Promise<RoundRobinBalancer> {
  if (upstreams.length === 0) throw new Error('a balancer needs at least one upstream');
  // Kept-alive connections to the gateways, as a real balancer keeps them.
  const agent = new Agent({ keepAlive: true });
  const proxy = createProxyServer({ agent, xfwd: true });
  const served: number[] = [];
  let next = 0;
  const firstChoice = (req: IncomingMessage): number => {
    const affinity = options.affinity?.(req);
    if (affinity !== undefined) return upstreamFor(affinity, upstreams.length);
    const index = next;
    next = (next + 1) % upstreams.length;
    return index;
  };
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    // Read once, so a request can be sent again to the next upstream when one refuses it.
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const first = firstChoice(req);
    const position = served.push(first) - 1;
    for (let attempt = 0; attempt < upstreams.length; attempt++) {
      const index = (first + attempt) % upstreams.length;
      served[position] = index;
      try {
        await proxy.web(req, res, { target: upstreams[index], buffer: Readable.from([body]) });
        return;
      } catch (error) {
        // No connection (or one the gateway's death cut before it answered): the next one.
        const code = (error as NodeJS.ErrnoException).code;
        if ((code === 'ECONNREFUSED' || code === 'ECONNRESET') && !res.headersSent) continue;
        // Dropped mid-response: cut the client off too, so a stream cannot end looking complete.
        if (res.headersSent) return void res.destroy();
        break;
      }
    }
    res.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    served,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
