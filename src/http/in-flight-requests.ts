import type { Server } from 'node:http';

/** The requests a server is answering now; a stream counts until its response ends or its client leaves. */
export interface InFlightRequests {
  readonly count: number;
  /** Resolves once no request is in flight (at once when none is). */
  idle(): Promise<void>;
}

/**
 * Counts `server`'s requests from arrival to the close of their response, so a draining gateway
 * knows when its work is done while its listener stays open (its /ready answers 503 meanwhile).
 * WebSocket upgrades are not requests here: their sessions end with the gateway.
 */
export function trackInFlightRequests(server: Server): InFlightRequests {
  let count = 0;
  const waiting: Array<() => void> = [];
  server.on('request', (_request, response) => {
    count++;
    response.once('close', () => {
      count--;
      if (count === 0) for (const resolve of waiting.splice(0)) resolve();
    });
  });
  return {
    get count() {
      return count;
    },
    idle: () => (count === 0 ? Promise.resolve() : new Promise((resolve) => waiting.push(resolve))),
  };
}
