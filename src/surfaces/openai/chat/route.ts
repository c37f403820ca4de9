import { randomUUID } from 'node:crypto';
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import '../../../http/context-variables.js';
import type { RunAsk } from '../../../contract/admission.js';
import { invalidRequest } from '../../../contract/errors.js';
import type { ChatCompletionStore } from '../../../contract/ports/chat-completions.js';
import type { RunEvent } from '../../../contract/run-events.js';
import type { RunOrigin, RunService } from '../../../contract/run-service.js';
import { documented, jsonBody, jsonOrSseResponse } from '../../../http/openapi-route.js';
import { serveHttpRun } from '../../../http/serve-run.js';
import { type SseFrame, writeSse } from '../../../http/sse.js';
import { validateJson } from '../../../http/validate-json.js';
import { openAIErrorBody } from '../openai-error.js';
import { openAIError, openAIRunErrors } from '../openai-error-docs.js';
import type { ChatCompletion, ChatCompletionChunk } from './chat-response.js';
import { createChatEncoder } from './encode-stream.js';
import { foldChunks } from './fold.js';
import { locateImage } from './locate-image.js';
import { chooseReasoningField } from './reasoning-field.js';
import { type ChatCompletionRequest, chatCompletionRequestSchema } from './schema.js';
import { type CompletionStoreDeps, keepCompletion, streamedCompletion } from './stored-completions.js';
import { ownerOf, storedCompletionRoutes } from './stored-routes.js';
import { type ToClaudeContext, toRunPlan } from './to-plan.js';

/** Names a conversation explicitly; see "Conversations (multi-turn)" in docs/openai-chat.md. */
export const CONVERSATION_ID_HEADER = 'x-conversation-id';
const MAX_CONVERSATION_ID_LENGTH = 256;

export interface ChatRouteDeps {
  runs: RunService;
  planContext: ToClaudeContext;
  keepAliveMs: number;
  /** Where completions created with `store: true` are kept. */
  completions: ChatCompletionStore;
  /** How long a stored completion is kept. */
  storedTtlMs: number;
  /** A completion could not be stored (the answer is sent anyway); for the log. */
  onStoreError?: (error: unknown) => void;
  newId?: () => string;
  now?: () => number;
}

const createChatCompletion = createRoute({
  method: 'post',
  path: '/chat/completions',
  summary: 'Create a chat completion',
  description:
    'Non-streaming: a `chat.completion` object. With `stream: true`: `text/event-stream` of `chat.completion.chunk` objects ending with `data: [DONE]`.',
  request: {
    body: jsonBody(chatCompletionRequestSchema.openapi('ChatCompletionRequest')),
    headers: z.object({
      [CONVERSATION_ID_HEADER]: z.string().max(MAX_CONVERSATION_ID_LENGTH).optional().openapi({
        description: 'Names a conversation explicitly (see "Conversations" in docs/openai-chat.md).',
      }),
    }),
  },
  responses: {
    200: jsonOrSseResponse('The completion, or its chunks as server-sent events.'),
    400: openAIError('Invalid request; `param` names the field.'),
    404: openAIError('Unknown model.'),
    ...openAIRunErrors,
  },
});

/**
 * POST /chat/completions: request -> plan -> RunService -> chunks (SSE) or their fold (JSON); with
 * `store: true` the completion is kept (stored-routes.ts reads it back).
 */
export function chatCompletionsRoutes(deps: ChatRouteDeps) {
  const newId = deps.newId ?? (() => `chatcmpl-${randomUUID().replaceAll('-', '')}`);
  const now = deps.now ?? Date.now;
  const stored: CompletionStoreDeps = {
    completions: deps.completions,
    ttlMs: deps.storedTtlMs,
    now,
    ...(deps.onStoreError ? { onStoreError: deps.onStoreError } : {}),
  };
  const app = new OpenAPIHono();
  app.post(documented(app, createChatCompletion), validateJson(chatCompletionRequestSchema), async (c) => {
    const request = c.req.valid('json');
    const origin = conversationOrigin(c.req.header(CONVERSATION_ID_HEADER), c.get('principal')?.id);
    const endUser = typeof request.user === 'string' && request.user !== '' ? request.user : undefined;
    const run = await serveHttpRun(c, deps.runs, {
      surface: 'openai-chat',
      ask: chatAsk(request),
      plan: () => ({ plan: toRunPlan(request, deps.planContext) }),
      origin: { ...origin, ...(endUser ? { endUser } : {}) },
      auditBody: request,
      locateImage: (url) => locateImage(request, url),
    });
    const identity = { id: newId(), created: Math.floor(now() / 1000), model: request.model };
    const encoder = createChatEncoder({
      ...identity,
      // The non-streaming reply always carries usage: it is the fold of a stream that had it.
      includeUsage: !request.stream || request.stream_options?.include_usage === true,
      reasoningField: chooseReasoningField(request.reasoning_field, c.get('principal')?.policy),
    });
    const keep =
      request.store === true
        ? (done: ChatCompletion) => keepCompletion(stored, request, ownerOf(c), done)
        : undefined;
    if (!request.stream) {
      const chunks: ChatCompletionChunk[] = [];
      for await (const event of run.events) {
        if (event.type === 'error') throw event.error;
        chunks.push(...encoder.encode(event));
      }
      const completion = foldChunks(chunks);
      await keep?.(completion);
      return c.json(completion);
    }
    const kept = keep && { ...streamedCompletion(identity), save: keep };
    return writeSse(c, sseFrames(run.events, encoder.encode, kept), {
      keepAliveMs: deps.keepAliveMs,
      onAbort: run.abort,
    });
  });
  app.route('/', storedCompletionRoutes(stored));
  return app;
}

/**
 * OpenAI's SSE dialect: `data: <chunk>` frames and `data: [DONE]` at the end; an error after the
 * first byte is a `data: {"error":…}` frame (openai-node raises it as an APIError) and ends the stream.
 */
async function* sseFrames(
  events: AsyncIterable<RunEvent>,
  encode: (event: RunEvent) => ChatCompletionChunk[],
  kept?: {
    observe(event: RunEvent): void;
    completion(): ChatCompletion;
    save(done: ChatCompletion): Promise<void>;
  },
): AsyncGenerator<SseFrame> {
  for await (const event of events) {
    if (event.type === 'error') {
      yield { data: JSON.stringify(openAIErrorBody(event.error)) };
      return;
    }
    kept?.observe(event);
    for (const chunk of encode(event)) yield { data: JSON.stringify(chunk) };
  }
  // Stored before the stream ends, so a client listing at once finds it.
  await kept?.save(kept.completion());
  yield { data: '[DONE]' };
}

/** What a chat request asks of the key; `claude_code` is the gateway's agent-mode extension. */
function chatAsk(request: ChatCompletionRequest): RunAsk {
  const agent = request.claude_code;
  return {
    model: request.model,
    ...(agent
      ? { agent: { tools: agent.tools, modeParam: 'claude_code', toolsParam: 'claude_code.tools' } }
      : {}),
  };
}

function conversationOrigin(header: string | undefined, callerId: string | undefined): RunOrigin {
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
