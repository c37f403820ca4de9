import type { IncomingMessage, ServerResponse } from 'node:http';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';

type Fetch = (request: Request, env?: unknown) => Response | Promise<Response>;

/** The Node response under @hono/node-server (its bindings); absent under app.request() in tests. */
export function nodeResponseOf(env: unknown): ServerResponse | undefined {
  return bindingOf<ServerResponse>(env, 'outgoing', 'writableNeedDrain');
}

/** The Node request under @hono/node-server (its bindings); absent under app.request() in tests. */
export function nodeRequestOf(env: unknown): IncomingMessage | undefined {
  return bindingOf<IncomingMessage>(env, 'incoming', 'readableLength');
}

/** `env[name]` when it is an object with `marker` (a property only the Node class has). */
function bindingOf<T>(env: unknown, name: string, marker: string): T | undefined {
  if (typeof env !== 'object' || env === null || !(name in env)) return undefined;
  const binding = (env as Record<string, unknown>)[name];
  return typeof binding === 'object' && binding !== null && marker in binding ? (binding as T) : undefined;
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
