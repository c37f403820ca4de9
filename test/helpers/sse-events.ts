/**
 * The one SSE reader of the tests, for every wire the gateway streams (OpenAI's `data:`-only frames
 * ending in `[DONE]`, the Anthropic, Responses, native and task wires with named events and ids).
 * Framing is eventsource-parser's, a maintained parser that follows the WHATWG rules (events split
 * across chunks, CRLF, comments); on top of it the reader is as strict as the SDKs are: a field SSE
 * does not define, data that is neither JSON nor `[DONE]`, or anything after `[DONE]` fails the test.
 */
import { createParser, type EventSourceMessage } from 'eventsource-parser';

/** The sentinel OpenAI's streams end with; every other `data:` is JSON. */
export const DONE = '[DONE]';

/** One event as a client sees it. */
export interface SseEvent {
  /** The `event:` field; `message` when the event has none, as EventSource names it. */
  event: string;
  /** The data, JSON-parsed (the string `[DONE]` for OpenAI's end marker). */
  data: any;
  /** The event's own `id:` field, when it has one. */
  id?: string;
}

export interface SseReadOptions {
  /** Called with each comment line's text (keep-alives), in order with the events. */
  onComment?: (comment: string) => void;
  /**
   * Called as each chunk of the body arrives, before the events it completes are yielded: lets a
   * test tell whether two events reached the client together (a buffering proxy) or apart.
   */
  onChunk?: () => void;
}

function parseData(data: string): unknown {
  if (data === DONE) return DONE;
  try {
    return JSON.parse(data);
  } catch {
    throw new Error(`an SSE data field is neither JSON nor ${DONE}: ${data}`);
  }
}

/**
 * A response's events as they arrive. The body is read only as the events are taken (an iterator
 * may stop early and leave the rest unread), so a consumer sees each event when its bytes came.
 */
export async function* sseEvents(response: Response, options: SseReadOptions = {}): AsyncGenerator<SseEvent> {
  if (!response.body) throw new Error('the response has no body');
  const parsed: EventSourceMessage[] = [];
  let malformed: Error | undefined;
  const parser = createParser({
    onEvent: (message) => parsed.push(message),
    onError: (error) => {
      malformed ??= error;
    },
    ...(options.onComment ? { onComment: options.onComment } : {}),
  });
  const decoder = new TextDecoder();
  let ended = false;
  for await (const chunk of response.body) {
    options.onChunk?.();
    parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }));
    if (malformed) throw malformed;
    for (const message of parsed.splice(0)) {
      if (ended) throw new Error(`an SSE event after ${DONE}: ${message.data}`);
      if (message.data === DONE) ended = true;
      yield {
        event: message.event ?? 'message',
        data: parseData(message.data),
        ...(message.id !== undefined ? { id: message.id } : {}),
      };
    }
  }
}

/** A whole stream, read to its end. */
export interface SseRead {
  /** Every event but the closing `[DONE]`. */
  events: SseEvent[];
  /** Comment lines (keep-alives), without the leading colon. */
  comments: string[];
  /** Whether the stream ended with `[DONE]`. */
  done: boolean;
}

/** Reads a response's whole event stream (it must end by itself). */
export async function readSse(response: Response): Promise<SseRead> {
  const comments: string[] = [];
  const events: SseEvent[] = [];
  for await (const event of sseEvents(response, { onComment: (comment) => comments.push(comment) })) {
    events.push(event);
  }
  const done = events.at(-1)?.data === DONE;
  if (done) events.pop();
  return { events, comments, done };
}
