import { Agent, createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createProxyServer } from 'httpxy';

/**
 * A test load balancer: each request goes to the next upstream in turn (round robin), proxied by
 * httpxy (unjs' maintained http-proxy). Responses are piped as they arrive, so SSE streams pass
 * unbuffered, as nginx with `proxy_buffering off` passes them in docker-compose.yml.
 */
export interface RoundRobinBalancer {
  /** The balancer's origin, e.g. http://127.0.0.1:41234. */
  readonly origin: string;
  /** Which upstream (index into the list given) each request went to, in arrival order. */
  readonly served: readonly number[];
  close(): Promise<void>;
}

export async function startRoundRobinBalancer(upstreams: readonly string[]): Promise<RoundRobinBalancer> {
  if (upstreams.length === 0) throw new Error('a balancer needs at least one upstream');
  // Kept-alive connections to the gateways, as a real balancer keeps them.
  const agent = new Agent({ keepAlive: true });
  const proxy = createProxyServer({ agent, xfwd: true });
  const served: number[] = [];
  let next = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const index = next;
    next = (next + 1) % upstreams.length;
    served.push(index);
    proxy.web(req, res, { target: upstreams[index] }).catch(() => {
      // The upstream refused the connection: a 502, as nginx gives. Dropped mid-response: cut the
      // client off too, so a stream cannot end looking complete.
      if (res.headersSent) return void res.destroy();
      res.writeHead(502, { 'content-type': 'text/plain' }).end('bad gateway');
    });
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
