import { Hono } from 'hono';
import '../auth/context-variables.js';
import type { ChatService } from '../chat/chat-service.js';
import { writeOpenAISse } from '../http/sse.js';
import { validateJson } from '../http/validate-json.js';
import { chatCompletionRequestSchema } from '../openai/chat-request.js';
import { invalidRequest } from '../openai/errors.js';
import type { ConversationOrigin } from '../sessions/session-store.js';

/** Names a conversation explicitly; see "Conversations (multi-turn)" in the README. */
export const CONVERSATION_ID_HEADER = 'x-conversation-id';
const MAX_CONVERSATION_ID_LENGTH = 256;

export function chatCompletionsRoutes(chat: ChatService, options: { keepAliveMs: number }) {
  return new Hono().post('/chat/completions', validateJson(chatCompletionRequestSchema), async (c) => {
    const request = c.req.valid('json');
    const disconnect = new AbortController();
    c.req.raw.signal.addEventListener('abort', () => disconnect.abort(), { once: true });
    // Set by the key-policy middleware: budget, audit and metrics learn how the run went.
    const hooks = c.get('runHooks');
    const origin = conversationOrigin(c.req.header(CONVERSATION_ID_HEADER), c.get('principal')?.id);
    if (!request.stream) return c.json(await chat.complete(request, disconnect.signal, hooks, origin));

    // Wait for the first event so errors before any output still get a real HTTP status.
    const events = chat.stream(request, disconnect.signal, hooks, origin);
    const first = await events.next();
    if (!first.done && first.value.kind === 'error') {
      // Close the run so its queue slot and session claim are released (its finally blocks run).
      await events.return();
      throw first.value.error;
    }
    return writeOpenAISse(c, resume(first, events), {
      keepAliveMs: options.keepAliveMs,
      onAbort: () => disconnect.abort(),
    });
  });
}

function conversationOrigin(header: string | undefined, callerId: string | undefined): ConversationOrigin {
  const conversationId = header?.trim();
  if (conversationId !== undefined && conversationId.length > MAX_CONVERSATION_ID_LENGTH) {
    throw invalidRequest(
      `The ${CONVERSATION_ID_HEADER} header must be at most ${MAX_CONVERSATION_ID_LENGTH} characters.`,
      null,
      'invalid_conversation_id',
    );
  }
  return {
    ...(callerId !== undefined ? { callerId } : {}),
    ...(conversationId ? { conversationId } : {}),
  };
}

async function* resume<T>(first: IteratorResult<T, void>, rest: AsyncGenerator<T, void, undefined>) {
  if (first.done) return;
  yield first.value;
  yield* rest;
}
