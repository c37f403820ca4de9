import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import type { Channel, StoreNotifications } from '../contract/ports/notifications.js';
import type { StoreSchema } from './schema.js';

export interface PostgresNotificationsOptions {
  /** The listening connection broke or could not be made; it is made again with backoff. */
  onError?: (error: Error) => void;
  /** Longest wait between reconnect attempts (default 5 s). */
  maxBackoffMs?: number;
}

/**
 * LISTEN on one dedicated connection (a pooled one would lose its LISTENs when handed back),
 * NOTIFY through the store's pool.
 */
export function postgresNotifications(
  url: string,
  db: Kysely<StoreSchema>,
  options: PostgresNotificationsOptions = {},
): StoreNotifications {
  const listeners = new Map<Channel, Set<(payload: string) => void>>();
  const maxBackoffMs = options.maxBackoffMs ?? 5_000;
  let client: pg.Client | undefined;
  /** Channels the current connection LISTENs on. */
  let listening = new Set<Channel>();
  let connecting: Promise<void> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  let failures = 0;
  let closed = false;

  const deliver = (message: pg.Notification) => {
    const channelListeners = listeners.get(message.channel as Channel);
    for (const listener of channelListeners ?? []) listener(message.payload ?? '');
  };

  const scheduleReconnect = () => {
    if (closed || retryTimer) return;
    failures++;
    retryTimer = setTimeout(
      () => {
        retryTimer = undefined;
        void connect();
      },
      Math.min(250 * 2 ** failures, maxBackoffMs),
    );
    retryTimer.unref();
  };

  /** LISTENs on every wanted channel the current connection does not listen on yet. */
  const listenToAll = async (): Promise<void> => {
    const on = client;
    if (!on) return;
    for (const channel of listeners.keys()) {
      if (listening.has(channel)) continue;
      listening.add(channel);
      await on.query(`LISTEN ${channel}`);
    }
  };

  const connect = (): Promise<void> => {
    if (closed || client || connecting) return connecting ?? Promise.resolve();
    const next = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    const lost = (error: Error) => {
      options.onError?.(error);
      if (client === next) client = undefined;
      next.removeAllListeners('notification');
      void next.end().catch(() => undefined);
      scheduleReconnect();
    };
    next.on('error', lost);
    next.on('end', () => {
      if (client === next && !closed) lost(new Error('the notification connection ended'));
    });
    next.on('notification', deliver);
    connecting = (async () => {
      try {
        await next.connect();
        if (closed) {
          await next.end();
          return;
        }
        client = next;
        listening = new Set();
        await listenToAll();
        failures = 0;
      } catch (error) {
        lost(error as Error);
      } finally {
        connecting = undefined;
      }
    })();
    return connecting;
  };

  return {
    async publish(channel, payload) {
      await sql`SELECT pg_notify(${channel}, ${payload})`.execute(db);
    },
    subscribe(channel, listener) {
      let channelListeners = listeners.get(channel);
      if (!channelListeners) {
        channelListeners = new Set();
        listeners.set(channel, channelListeners);
        // A connection made before this channel was wanted listens to it from now on.
        listenToAll().catch((error: Error) => options.onError?.(error));
      }
      channelListeners.add(listener);
      void connect();
      return () => {
        channelListeners.delete(listener);
      };
    },
    async close() {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      await connecting;
      const open = client;
      client = undefined;
      await open?.end().catch(() => undefined);
    },
  };
}
