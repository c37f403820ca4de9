/**
 * Streaming chat completions over one kept-alive TCP connection, with HTTP/1.1 written and read
 * here: the leanest client, so that a hot turn's time to first token is the gateway's and not a
 * client library's. The Agent SDK side it is compared with has no client at all. On this kind of
 * machine node:http's client takes about 0.2 ms longer to get a request's bytes out, and 0.1 ms
 * longer to hand over a frame that arrived (fetch about a millisecond each way; undici's Client
 * more than node:http).
 */
import net from 'node:net';
import type { ChatMessage, TimedChat } from './timed-chat.js';
import { textOf } from './timed-surface.js';

export interface ChatClient {
  chat(body: { model: string; messages: ChatMessage[] }): Promise<TimedChat>;
  close(): void;
}

const HEADERS_END = Buffer.from('\r\n\r\n');
const LINE_END = Buffer.from('\r\n');
const FRAME_END = Buffer.from('\n\n');

/** One request at a time, as the bench sends them; a new connection when the gateway closed the last. */
export function httpChatClient(baseUrl: string): ChatClient {
  const { hostname, port, host } = new URL(baseUrl);
  let socket: net.Socket | undefined;
  const connected = async (): Promise<net.Socket> => {
    if (socket && !socket.destroyed && !socket.readableEnded) return socket;
    const next = net.connect({ host: hostname, port: Number(port), noDelay: true });
    await new Promise<void>((resolve, reject) => {
      next.once('connect', resolve);
      next.once('error', reject);
    });
    socket = next;
    return next;
  };
  return {
    async chat(body) {
      const payload = Buffer.from(JSON.stringify({ ...body, stream: true }));
      const head =
        `POST /v1/chat/completions HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\n` +
        `Content-Length: ${payload.length}\r\nConnection: keep-alive\r\n\r\n`;
      return streamedChat(await connected(), Buffer.concat([Buffer.from(head), payload]));
    },
    close: () => socket?.destroy(),
  };
}

interface Head {
  status: number;
  headers: Map<string, string>;
}

function streamedChat(socket: net.Socket, request: Buffer): Promise<TimedChat> {
  return new Promise((resolve, reject) => {
    let ttftMs = Number.NaN;
    let lastContentMs = Number.NaN;
    let content = '';
    let failed = false;
    let head: Head | undefined;
    let pending: Buffer = Buffer.alloc(0);
    let sse: Buffer = Buffer.alloc(0);
    let remaining = Number.NaN;
    let started = 0;
    const onFrame = (frame: string) => {
      if (!frame.startsWith('data: ') || frame === 'data: [DONE]') return;
      const frameText = textOf('openai-chat', JSON.parse(frame.slice('data: '.length)));
      if (frameText.failed) failed = true;
      if (!frameText.text) return;
      lastContentMs = performance.now() - started;
      if (Number.isNaN(ttftMs)) ttftMs = lastContentMs;
      content += frameText.text;
    };
    const onBody = (bytes: Buffer) => {
      sse = Buffer.concat([sse, bytes]);
      for (let end = sse.indexOf(FRAME_END); end >= 0; end = sse.indexOf(FRAME_END)) {
        onFrame(sse.subarray(0, end).toString('utf8'));
        sse = sse.subarray(end + FRAME_END.length);
      }
    };
    const finish = () => {
      cleanup();
      const status = head?.status ?? 0;
      const serverTiming = head?.headers.get('server-timing') ?? '';
      const claude = /claude;dur=([\d.]+)/.exec(serverTiming);
      const gateway = /gateway;dur=([\d.]+)/.exec(serverTiming);
      if (head?.headers.get('connection') === 'close') socket.destroy();
      resolve({
        ok: status === 200 && !failed && content.length > 0,
        status,
        ttftMs,
        ttlbMs: performance.now() - started,
        ...(Number.isNaN(lastContentMs) ? {} : { lastContentMs }),
        content,
        ...(claude ? { claudeMs: Number(claude[1]) } : {}),
        ...(gateway ? { gatewayMs: Number(gateway[1]) } : {}),
      });
    };
    /** Reads what has arrived; true once the response is complete. */
    const read = (): boolean => {
      if (!head) {
        const end = pending.indexOf(HEADERS_END);
        if (end < 0) return false;
        head = parseHead(pending.subarray(0, end).toString('latin1'));
        pending = pending.subarray(end + HEADERS_END.length);
        const length = head.headers.get('content-length');
        if (length !== undefined) remaining = Number(length);
        else if (head.headers.get('transfer-encoding') !== 'chunked') {
          throw new Error('a response with neither Content-Length nor chunked encoding');
        }
      }
      if (!Number.isNaN(remaining)) {
        const take = Math.min(remaining, pending.length);
        onBody(pending.subarray(0, take));
        pending = pending.subarray(take);
        remaining -= take;
        return remaining === 0;
      }
      for (;;) {
        const sizeEnd = pending.indexOf(LINE_END);
        if (sizeEnd < 0) return false;
        const size = Number.parseInt(pending.subarray(0, sizeEnd).toString('latin1'), 16);
        if (!Number.isFinite(size)) throw new Error('a malformed chunk size');
        const chunkEnd = sizeEnd + LINE_END.length + size + LINE_END.length;
        if (pending.length < chunkEnd) return false;
        if (size === 0) return true;
        onBody(pending.subarray(sizeEnd + LINE_END.length, chunkEnd - LINE_END.length));
        pending = pending.subarray(chunkEnd);
      }
    };
    const onData = (bytes: Buffer) => {
      pending = pending.length === 0 ? bytes : Buffer.concat([pending, bytes]);
      try {
        if (read()) finish();
      } catch (error) {
        fail(error instanceof Error ? error : new Error(String(error)));
      }
    };
    const onClose = () => fail(new Error('the connection closed before the response was complete'));
    const fail = (error: Error) => {
      cleanup();
      socket.destroy();
      reject(error);
    };
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('error', fail);
      socket.off('close', onClose);
    };
    socket.on('data', onData);
    socket.once('error', fail);
    socket.once('close', onClose);
    started = performance.now();
    socket.write(request);
  });
}

function parseHead(text: string): Head {
  const [statusLine = '', ...lines] = text.split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? 0);
  const headers = new Map<string, string>();
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { status, headers };
}
