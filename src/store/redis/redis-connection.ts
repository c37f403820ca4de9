import { Redis } from 'ioredis';

export interface RedisConnectionOptions {
  /** Called when the connection breaks or cannot be made (ioredis reconnects on its own). */
  onError?: (error: Error) => void;
}

/**
 * An ioredis client for the shared limits that fails fast while Redis is away: no offline queue
 * and one try per command, so a request gets its 503 at once instead of waiting for a reconnect
 * (the same as a database that does not answer). It reconnects in the background, backing off up
 * to 2 s between tries.
 */
export function connectRedis(url: string, options: RedisConnectionOptions = {}): Redis {
  const client = new Redis(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 5_000,
    commandTimeout: 5_000,
    retryStrategy: (attempt) => Math.min(attempt * 100, 2_000),
  });
  // Without a listener a refused connection would be an unhandled 'error' event.
  client.on('error', (error: Error) => options.onError?.(error));
  return client;
}

/** Whether Redis answers a PING right now (for /ready). */
export async function redisAnswers(client: Redis): Promise<boolean> {
  try {
    return (await client.ping()) === 'PONG';
  } catch {
    return false;
  }
}
