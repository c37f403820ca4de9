import { Hono } from 'hono';
import type { ChatService } from '../chat/chat-service.js';
import { writeOpenAISse } from '../http/sse.js';
import { validateJson } from '../http/validate-json.js';
import { chatCompletionRequestSchema } from '../openai/chat-request.js';

export function chatCompletionsRoutes(chat: ChatService, options: { keepAliveMs: number }) {
  return new Hono().post('/chat/completions', validateJson(chatCompletionRequestSchema), async (c) => {
    const request = c.req.valid('json');
    const disconnect = new AbortController();
    c.req.raw.signal.addEventListener('abort', () => disconnect.abort(), { once: true });
    if (!request.stream) return c.json(await chat.complete(request, disconnect.signal));

    // Wait for the first event so errors before any output still get a real HTTP status.
    const events = chat.stream(request, disconnect.signal);
    const first = await events.next();
    if (!first.done && first.value.kind === 'error') throw first.value.error;
    return writeOpenAISse(c, resume(first, events), {
      keepAliveMs: options.keepAliveMs,
      onAbort: () => disconnect.abort(),
    });
  });
}

async function* resume<T>(first: IteratorResult<T, void>, rest: AsyncGenerator<T, void, undefined>) {
  if (first.done) return;
  yield first.value;
  yield* rest;
}
