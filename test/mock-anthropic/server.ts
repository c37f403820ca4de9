/**
 * A local stand-in for the Anthropic Messages API, good enough for the real Claude Code CLI to talk
 * to via ANTHROPIC_BASE_URL. Tests script its answers (queued replies or a handler) and inspect the
 * requests the CLI made.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import {
  type CredentialScript,
  type CredentialVerdict,
  credentialOf,
  credentialScripts,
} from './credentials.js';
import {
  type ErrorReply,
  echoHandler,
  type MessageReply,
  type MessagesRequestBody,
  type MidStreamFailureReply,
  type MockHandler,
  type MockReply,
  type OtherRequest,
  type RecordedRequest,
} from './replies.js';
import {
  errorBody,
  errorTypeFor,
  type RenderContext,
  renderMessage,
  renderPartialText,
  type SseEvent,
  serializeSse,
} from './wire.js';

export { type CredentialScript, unifiedHeaders } from './credentials.js';
export {
  type ContentBlock,
  type ErrorReply,
  echoHandler,
  type HangReply,
  lastUserText,
  type MessageExtras,
  type MessageReply,
  type MessagesRequestBody,
  type MidStreamFailureReply,
  type MockBlock,
  type MockHandler,
  type MockReply,
  type MockUsage,
  type OtherRequest,
  type RecordedRequest,
  type RequestMessage,
  type StopReason,
  THIRD_PARTY_REJECTION_MESSAGE,
  text,
  thirdPartyRejection,
  toolUse,
  userTexts,
} from './replies.js';

export interface MockAnthropic {
  /** `http://127.0.0.1:PORT`, suitable for ANTHROPIC_BASE_URL. */
  url: string;
  /** Every POST /v1/messages received (not count_tokens), in order. */
  readonly requests: RecordedRequest[];
  /** Every other request (count_tokens, OAuth endpoints, unknown paths), in order. */
  readonly otherRequests: OtherRequest[];
  /**
   * Scripts what happens to requests carrying `credential` (an API key or OAuth token): refused
   * with a 401, or limited by a quota. Refused and limited requests are recorded but take no reply.
   */
  scriptCredential(credential: string, script: CredentialScript): void;
  /** Replies consumed FIFO by the next /v1/messages requests before falling back to the handler. */
  enqueue(...replies: MockReply[]): void;
  setHandler(handler: MockHandler): void;
  /** Clears requests, queue and credential scripts and restores the handler given at start (echoHandler if none). */
  reset(): void;
  /** Resolves once `n` message requests have been received in total; rejects after `timeoutMs`. */
  waitForRequests(n: number, timeoutMs?: number): Promise<void>;
  /** Stops listening and destroys open connections, including hanging and slow streams. */
  close(): Promise<void>;
}

export interface MockAnthropicOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  handler?: MockHandler;
  /** The clock of credential quota windows (epoch ms); tests move it to pass a reset. */
  clock?: () => number;
}

const COUNT_TOKENS_ANSWER = { input_tokens: 10 };
const DEFAULT_WAIT_TIMEOUT_MS = 10_000;
const DEFAULT_RETRY_AFTER_SECONDS = 1;
const MID_STREAM_FAILURE_MESSAGE = 'Overloaded (mock mid-stream failure)';

interface RequestWaiter {
  count: number;
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/** Per-request state shared by the reply writers. */
interface Exchange {
  res: ServerResponse;
  /** Aborted when the response closes, whether it finished or the client went away. */
  signal: AbortSignal;
  stream: boolean;
  requestId: string;
  context: RenderContext;
  /** Sent with whatever the reply is (the credential's rate-limit headers). */
  headers: Record<string, string>;
}

class BadRequest extends Error {}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseMessagesBody(raw: string): MessagesRequestBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new BadRequest('request body is not valid JSON');
  }
  if (!isRecord(parsed) || typeof parsed.model !== 'string' || !Array.isArray(parsed.messages)) {
    throw new BadRequest('request body needs a string `model` and a `messages` array');
  }
  return parsed as MessagesRequestBody;
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) {
      headers[name] = Array.isArray(value) ? value.join(', ') : value;
    }
  }
  return headers;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

// Resolves once the data has been handed to the socket, so a following destroy cannot drop it.
function writeFlushed(res: ServerResponse, data: string): Promise<void> {
  return new Promise((resolve) => {
    res.write(data, () => resolve());
  });
}

async function pause(ms: number | undefined, signal: AbortSignal): Promise<void> {
  if (ms !== undefined && ms > 0) {
    await delay(ms, undefined, { signal });
  }
}

function startEventStream(exchange: Exchange): void {
  exchange.res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
    'request-id': exchange.requestId,
    ...exchange.headers,
  });
}

/** Writes events, pausing before each delta; returns false if the client went away. */
async function writeEvents(exchange: Exchange, events: SseEvent[], chunkDelayMs?: number): Promise<boolean> {
  for (const event of events) {
    if (event.event === 'content_block_delta') {
      await pause(chunkDelayMs, exchange.signal);
    }
    if (exchange.signal.aborted) {
      return false;
    }
    exchange.res.write(serializeSse(event));
  }
  return true;
}

async function answerMessage(exchange: Exchange, reply: MessageReply): Promise<void> {
  const { message, events } = renderMessage(reply, exchange.context);
  await pause(reply.firstByteDelayMs, exchange.signal);
  if (!exchange.stream) {
    sendJson(exchange.res, 200, message, { 'request-id': exchange.requestId, ...exchange.headers });
    return;
  }
  startEventStream(exchange);
  if (await writeEvents(exchange, events, reply.chunkDelayMs)) {
    exchange.res.end();
  }
}

function answerError(exchange: Exchange, reply: ErrorReply): void {
  const headers: Record<string, string> = { 'request-id': exchange.requestId, ...exchange.headers };
  const retryAfter =
    reply.retryAfterSeconds ??
    (reply.status === 429 || reply.status === 529 ? DEFAULT_RETRY_AFTER_SECONDS : undefined);
  if (retryAfter !== undefined) {
    headers['retry-after'] = String(retryAfter);
  }
  const errorType = reply.errorType ?? errorTypeFor(reply.status);
  const message = reply.message ?? `mock ${errorType} (HTTP ${reply.status})`;
  sendJson(exchange.res, reply.status, errorBody(errorType, message, exchange.requestId), headers);
}

async function answerMidStreamFailure(exchange: Exchange, reply: MidStreamFailureReply): Promise<void> {
  const mode = reply.mode ?? 'error-event';
  if (!exchange.stream) {
    // A non-streamed request has no "middle" to fail in, so it fails the way the stream would end.
    if (mode === 'socket-destroy') {
      exchange.res.socket?.destroy();
      return;
    }
    answerError(exchange, { kind: 'error', status: 529, message: MID_STREAM_FAILURE_MESSAGE });
    return;
  }
  startEventStream(exchange);
  const partial = renderPartialText(reply.textBefore, exchange.context).map(serializeSse).join('');
  if (mode === 'socket-destroy') {
    await writeFlushed(exchange.res, partial);
    exchange.res.socket?.destroy();
    return;
  }
  const failure = serializeSse({
    event: 'error',
    data: errorBody('overloaded_error', MID_STREAM_FAILURE_MESSAGE, exchange.requestId),
  });
  exchange.res.end(partial + failure);
}

/** A credential the mock refuses or has limited: the request gets no scripted reply. */
function answerVerdict(
  res: ServerResponse,
  verdict: Exclude<CredentialVerdict, { kind: 'allow' }>,
  requestId: string,
): void {
  const headers = { 'request-id': requestId, ...(verdict.kind === 'limit' ? verdict.headers : {}) };
  sendJson(res, verdict.status, errorBody(verdict.errorType, verdict.message, requestId), headers);
}

async function answer(exchange: Exchange, reply: MockReply): Promise<void> {
  switch (reply.kind) {
    case 'message':
      return answerMessage(exchange, reply);
    case 'error':
      return answerError(exchange, reply);
    case 'midStreamFailure':
      return answerMidStreamFailure(exchange, reply);
    case 'hang':
      // Deliberately nothing: the response stays open until the client or close() ends the socket.
      return;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export async function startMockAnthropic(options: MockAnthropicOptions = {}): Promise<MockAnthropic> {
  const defaultHandler = options.handler ?? echoHandler;
  let handler = defaultHandler;
  const requests: RecordedRequest[] = [];
  const otherRequests: OtherRequest[] = [];
  const credentials = credentialScripts();
  const clock = options.clock ?? Date.now;
  const queue: MockReply[] = [];
  const waiters = new Set<RequestWaiter>();
  const sockets = new Set<Socket>();
  let requestCount = 0;
  let messageCount = 0;
  let toolUseCount = 0;

  function settleWaiters(): void {
    for (const waiter of waiters) {
      if (requests.length >= waiter.count) {
        clearTimeout(waiter.timer);
        waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }

  function record(request: RecordedRequest): void {
    requests.push(request);
    settleWaiters();
  }

  async function chooseReply(request: RecordedRequest): Promise<MockReply> {
    const queued = queue.shift();
    if (queued !== undefined) {
      return queued;
    }
    try {
      return await handler(request);
    } catch (error) {
      // Surfacing handler bugs as an API error makes them visible in the CLI's result.
      return { kind: 'error', status: 500, message: `mock handler threw: ${describe(error)}` };
    }
  }

  async function handleMessages(
    req: IncomingMessage,
    res: ServerResponse,
    signal: AbortSignal,
  ): Promise<void> {
    const requestId = `req_mock_${++requestCount}`;
    const body = parseMessagesBody(await readBody(req));
    const headers = flattenHeaders(req);
    const credential = credentialOf(headers);
    const recorded: RecordedRequest = {
      path: req.url ?? '/v1/messages',
      headers,
      body,
      receivedAt: Date.now(),
      ...(credential ? { credential: credential.value, authScheme: credential.scheme } : {}),
    };
    record(recorded);
    const verdict = credentials.judge(credential, clock());
    if (verdict.kind !== 'allow') {
      answerVerdict(res, verdict, requestId);
      return;
    }
    const reply = await chooseReply(recorded);
    const exchange: Exchange = {
      res,
      signal,
      stream: body.stream === true,
      requestId,
      context: {
        messageId: `msg_mock_${++messageCount}`,
        model: body.model,
        nextToolUseId: () => `toolu_mock_${++toolUseCount}`,
      },
      headers: verdict.headers,
    };
    await answer(exchange, reply);
  }

  async function route(req: IncomingMessage, res: ServerResponse, signal: AbortSignal): Promise<void> {
    const pathname = new URL(req.url ?? '/', 'http://mock').pathname;
    if (req.method === 'POST' && pathname === '/v1/messages') {
      await handleMessages(req, res, signal);
      return;
    }
    await readBody(req);
    const credential = credentialOf(flattenHeaders(req));
    otherRequests.push({
      method: req.method ?? 'GET',
      path: req.url ?? pathname,
      ...(credential ? { credential: credential.value, authScheme: credential.scheme } : {}),
    });
    if (req.method === 'POST' && pathname === '/v1/messages/count_tokens') {
      sendJson(res, 200, COUNT_TOKENS_ANSWER);
      return;
    }
    sendJson(
      res,
      404,
      errorBody(
        'not_found_error',
        `mock: no route for ${req.method} ${pathname}`,
        `req_mock_${++requestCount}`,
      ),
    );
  }

  function onRequest(req: IncomingMessage, res: ServerResponse): void {
    const controller = new AbortController();
    res.on('close', () => controller.abort());
    route(req, res, controller.signal).catch((error: unknown) => {
      if (controller.signal.aborted && isAbortError(error)) {
        return;
      }
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const status = error instanceof BadRequest ? 400 : 500;
      const errorType = error instanceof BadRequest ? 'invalid_request_error' : 'api_error';
      sendJson(res, status, errorBody(errorType, `mock: ${describe(error)}`, 'req_mock_error'));
    });
  }

  let closing: Promise<void> | undefined;

  function closeServer(): Promise<void> {
    for (const waiter of waiters) {
      clearTimeout(waiter.timer);
      waiter.reject(new Error('mock-anthropic: closed while waiting for requests'));
    }
    waiters.clear();
    return new Promise<void>((resolve, reject) => {
      server.close((error) => (error ? reject(error) : resolve()));
      // server.close() alone would wait for hanging and slow responses to finish.
      for (const socket of sockets) {
        socket.destroy();
      }
    });
  }

  const server: Server = createServer(onRequest);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    get requests() {
      return requests;
    },
    get otherRequests() {
      return otherRequests;
    },
    scriptCredential(credential, script) {
      credentials.set(credential, script);
    },
    enqueue(...replies) {
      queue.push(...replies);
    },
    setHandler(next) {
      handler = next;
    },
    reset() {
      // Emptied in place so arrays a test already holds stay live.
      requests.length = 0;
      otherRequests.length = 0;
      queue.length = 0;
      credentials.clear();
      handler = defaultHandler;
    },
    waitForRequests(count, timeoutMs = DEFAULT_WAIT_TIMEOUT_MS) {
      if (requests.length >= count) {
        return Promise.resolve();
      }
      return new Promise<void>((resolve, reject) => {
        const waiter: RequestWaiter = {
          count,
          resolve,
          reject,
          timer: setTimeout(() => {
            waiters.delete(waiter);
            reject(
              new Error(
                `mock-anthropic: expected ${count} requests within ${timeoutMs} ms, got ${requests.length}`,
              ),
            );
          }, timeoutMs),
        };
        waiters.add(waiter);
      });
    },
    close() {
      closing ??= closeServer();
      return closing;
    },
  };
}
