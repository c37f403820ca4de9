import type { ServerResponse } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';

type Fetch = (request: Request, env?: unknown) => Response | Promise<Response>;

/** The Node response under @hono/node-server (its bindings); absent under app.request() in tests. */
export function nodeResponseOf(env: unknown): ServerResponse | undefined {
  if (typeof env !== 'object' || env === null || !('outgoing' in env)) return undefined;
  const outgoing = (env as { outgoing: unknown }).outgoing;
  return typeof outgoing === 'object' && outgoing !== null && 'writableNeedDrain' in outgoing
    ? (outgoing as ServerResponse)
    : undefined;
}

/**
 * The app's fetch for @hono/node-server, where a route may write its response straight to the
 * socket (an event stream, `writeSse`): the library is then handed its own "already sent" marker,
 * whatever the middlewares did to Hono's copy of the response (the marker only works untouched).
 */
export function answersOnSocket(appFetch: Fetch): Fetch {
  return async (request, env) => {
    const response = await appFetch(request, env);
    return nodeResponseOf(env)?.headersSent ? RESPONSE_ALREADY_SENT : response;
  };
}
