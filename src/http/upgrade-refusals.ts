import type { IncomingMessage } from 'node:http';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';

type Fetch = (request: Request, env?: unknown) => Response | Promise<Response>;

/** Headers that describe the connection or the framing, which the raw answer sets itself. */
const FRAMING_HEADERS = new Set([
  'connection',
  'content-length',
  'keep-alive',
  'transfer-encoding',
  'upgrade',
]);

/**
 * Refused WebSocket upgrades answered with the app's whole response. @hono/node-server answers an
 * upgrade the app did not accept (no key, an unknown session) with its status and headers only, an
 * empty body, and it does so only while it is the server's one `upgrade` listener. So `fetch` wraps
 * the app to write the app's answer itself, and `onUpgrade`, registered as a second listener, answers
 * what never reaches the app: an `Upgrade` other than `websocket`, which would otherwise hang.
 */
export interface UpgradeRefusals {
  fetch: Fetch;
  onUpgrade: (request: IncomingMessage, socket: Duplex) => void;
}

export function upgradeRefusals(appFetch: Fetch): UpgradeRefusals {
  // Upgrade requests the wrapped fetch took: the library calls it synchronously from its own
  // `upgrade` listener, which runs before `onUpgrade`.
  const taken = new WeakSet<IncomingMessage>();
  return {
    async fetch(request, env) {
      const incoming = incomingOf(env);
      if (!incoming || !isWebSocketUpgrade(request)) return appFetch(request, env);
      taken.add(incoming);
      let response: Response;
      try {
        response = await appFetch(request, env);
      } catch {
        response = errorResponse(500, 'internal_error', 'The upgrade request failed.');
      }
      if (!isAcceptedUpgrade(response)) await writeRaw(incoming.socket, response);
      return response;
    },
    onUpgrade(request, socket) {
      if (taken.has(request)) return;
      const offered = request.headers.upgrade ?? '';
      void writeRaw(
        socket,
        errorResponse(
          400,
          'upgrade_not_supported',
          offered.toLowerCase() === 'websocket'
            ? 'The WebSocket upgrade request is malformed.'
            : 'Only WebSocket upgrades are supported; send the request without an Upgrade header.',
        ),
      );
    },
  };
}

function incomingOf(env: unknown): IncomingMessage | undefined {
  if (typeof env !== 'object' || env === null || !('incoming' in env)) return undefined;
  return (env as { incoming?: IncomingMessage }).incoming;
}

function isWebSocketUpgrade(request: Request): boolean {
  return request.headers.get('upgrade')?.toLowerCase() === 'websocket';
}

/** The library's `upgradeWebSocket` accepts with an empty 200, the one answer no refusal has. */
function isAcceptedUpgrade(response: Response): boolean {
  return response.status === 200 && response.body === null;
}

function errorResponse(status: number, code: string, message: string): Response {
  return Response.json({ error: { message, type: 'invalid_request_error', param: null, code } }, { status });
}

/** The response as raw HTTP/1.1 on the socket, which then closes: no upgrade follows. */
async function writeRaw(socket: Duplex, response: Response): Promise<void> {
  const body = Buffer.from(await response.arrayBuffer());
  if (socket.destroyed || !socket.writable) return;
  const lines = [`HTTP/1.1 ${response.status} ${STATUS_CODES[response.status] ?? ''}`];
  response.headers.forEach((value, name) => {
    if (!FRAMING_HEADERS.has(name.toLowerCase())) lines.push(`${name}: ${value}`);
  });
  lines.push(`Content-Length: ${body.length}`, 'Connection: close');
  socket.end(Buffer.concat([Buffer.from(`${lines.join('\r\n')}\r\n\r\n`), body]));
}
