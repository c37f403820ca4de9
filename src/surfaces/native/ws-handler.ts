import type { WSContext, WSEvents } from 'hono/ws';
import { GatewayError } from '../../contract/gateway-error.js';
import type { RecordTurn } from '../../core/accounting/turn-accounting.js';
import type { NativeSessions, TurnInput } from '../../services/native/session-service.js';
import { startAccountedTurn } from './accounted-turn.js';
import { encodeTurn } from './encode-stream.js';
import { clientFrameSchema } from './schema.js';
import { toWsFrame } from './wire.js';

export interface WsTurnContext {
  sessions: NativeSessions;
  caller: TurnInput['caller'];
  sessionId: string;
  /** A request id per turn, for logs and the audit row. */
  newRequestId: () => string;
  /** The socket's path, for the audit row of each turn. */
  path: string;
  /** Each turn's audit row and metrics; absent: turns are not recorded. */
  recordTurn: RecordTurn | undefined;
}

/**
 * The WebSocket protocol: the client sends `{"type":"message","prompt"}` frames and
 * `{"type":"cancel"}`; the server answers each turn with the stream's objects, ending in exactly one
 * `complete` or `error`. One turn at a time per session; closing the socket aborts a running turn.
 */
export function wsTurnEvents(context: WsTurnContext): WSEvents {
  let current: AbortController | undefined;
  let closed = false;

  const send = (ws: WSContext, frame: unknown) => {
    if (!closed && ws.readyState === 1) ws.send(JSON.stringify(frame));
  };
  const protocolError = (ws: WSContext, message: string) =>
    send(ws, { type: 'error', error: { code: 'INVALID_REQUEST', message, details: {} } });

  async function runTurn(ws: WSContext, prompt: string, timeoutMs: number | undefined): Promise<void> {
    const controller = new AbortController();
    current = controller;
    const requestId = context.newRequestId();
    const input: TurnInput = {
      caller: context.caller,
      sessionId: context.sessionId,
      prompt,
      signal: controller.signal,
      requestId,
    };
    if (timeoutMs !== undefined) input.timeoutMs = timeoutMs;
    // The frame that ends the turn (`complete` or `error`) goes out only once the run is torn down and
    // the session released: a client that sends its next turn on seeing it must not find it busy.
    let ending: unknown;
    try {
      // Every frame is a turn of its own under the key's policy (rpm, budget, concurrency) and audited.
      const turn = await startAccountedTurn(context.sessions, input, {
        recordTurn: context.recordTurn,
        principal: context.caller.principal,
        info: { requestId, method: 'WS', path: context.path, body: { prompt }, stream: true },
      });
      for await (const item of encodeTurn(turn)) {
        if (controller.signal.aborted) break;
        if (item.event === 'message') {
          send(ws, toWsFrame(item));
          continue;
        }
        ending = toWsFrame(item);
        // Leaving the loop ends the turn's events, which waits for the run to close.
        break;
      }
    } catch (error) {
      // Refused, or failed before its first event; a cancelled turn is answered below.
      if (!(error instanceof GatewayError)) throw error;
      ending = toWsFrame({ event: 'error', error });
    } finally {
      if (current === controller) current = undefined;
    }
    if (controller.signal.aborted) {
      send(ws, {
        type: 'error',
        error: { code: 'CANCELLED', message: 'The turn was cancelled.', details: {} },
      });
    } else if (ending !== undefined) {
      send(ws, ending);
    }
  }

  return {
    onMessage(event, ws) {
      if (typeof event.data !== 'string') return protocolError(ws, 'Frames must be JSON text.');
      let frame: ReturnType<typeof clientFrameSchema.safeParse>;
      try {
        frame = clientFrameSchema.safeParse(JSON.parse(event.data));
      } catch {
        return protocolError(ws, 'Frames must be JSON text.');
      }
      if (!frame.success) {
        return protocolError(ws, 'Expected {"type":"message","prompt":"..."} or {"type":"cancel"}.');
      }
      const data = frame.data;
      if (data.type === 'ping') return send(ws, { type: 'pong' });
      if (data.type === 'cancel') {
        current?.abort();
        return;
      }
      if (current) {
        // The session's own busy check answers too, but this socket knows it without a store read.
        return send(ws, {
          type: 'error',
          error: { code: 'SESSION_BUSY', message: 'A turn is already running on this session.', details: {} },
        });
      }
      runTurn(ws, data.prompt, data.timeout).catch(() => {
        send(ws, {
          type: 'error',
          error: { code: 'INTERNAL_ERROR', message: 'The turn failed.', details: {} },
        });
      });
    },
    onClose() {
      closed = true;
      current?.abort();
    },
  };
}
