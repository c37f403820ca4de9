/**
 * Chat completions created with `store: true`: what is kept (the completion as the client got it,
 * the request's messages and metadata, owned by the caller's key) and how it is read back: the
 * completion with its current metadata, and its messages as OpenAI lists them.
 */

import { GatewayError } from '../../../contract/gateway-error.js';
import type { ChatCompletionStore, StoredChatCompletion } from '../../../contract/ports/chat-completions.js';
import type { RunEvent } from '../../../contract/run-events.js';
import { type ListPage, type ListQuery, pageOf } from '../list-page.js';
import type { ChatCompletion, ChatCompletionChunk } from './chat-response.js';
import { createChatEncoder } from './encode-stream.js';
import { foldChunks } from './fold.js';
import type { ChatCompletionRequest } from './schema.js';

/** Where completions are kept, for how long, and what to do when keeping one fails. */
export interface CompletionStoreDeps {
  completions: ChatCompletionStore;
  /** How long a stored completion is kept. */
  ttlMs: number;
  now: () => number;
  /** A completion could not be stored (the answer is sent anyway); for the log. */
  onStoreError?: (error: unknown) => void;
}

export function completionNotFound(id: string): GatewayError {
  return new GatewayError({
    kind: 'not_found',
    status: 404,
    message: `No chat completion found with id '${id}'.`,
    param: null,
    code: 'not_found',
  });
}

/** Stores `completion` of `request` for `ownerId`; a failure is reported, never thrown. */
export async function keepCompletion(
  deps: CompletionStoreDeps,
  request: ChatCompletionRequest,
  ownerId: string,
  completion: ChatCompletion,
): Promise<void> {
  const now = deps.now();
  try {
    await deps.completions.save({
      id: completion.id,
      ownerId,
      model: request.model,
      metadata: request.metadata ?? {},
      completion,
      messages: request.messages,
      createdAt: now,
      expiresAt: now + deps.ttlMs,
    });
    // Expired completions go as new ones come: no timer, and the table never outgrows the TTL.
    await deps.completions.sweep(now);
  } catch (error) {
    deps.onStoreError?.(error);
  }
}

/**
 * The completion a stream sent, for storing: the same events through an encoder that always counts
 * usage (the stream's own may leave it out, as the client asked).
 */
export function streamedCompletion(options: { id: string; created: number; model: string }) {
  const encoder = createChatEncoder({ ...options, includeUsage: true });
  const chunks: ChatCompletionChunk[] = [];
  return {
    observe(event: RunEvent) {
      chunks.push(...encoder.encode(event));
    },
    completion: () => foldChunks(chunks),
  };
}

/** The completion as GET answers it: with the metadata it has now. */
export function storedCompletionBody(record: StoredChatCompletion): Record<string, unknown> {
  return { ...(record.completion as Record<string, unknown>), metadata: record.metadata };
}

export type StoredMessage = Record<string, unknown> & { id: string };

/**
 * The request's messages as OpenAI lists them: each with an id (`<completion id>-<index>`), its
 * text as `content` and, when it was sent as parts, its text and image parts as `content_parts`.
 */
export function messagePage(record: StoredChatCompletion, query: ListQuery): ListPage<StoredMessage> {
  const messages = record.messages.map((message, i): StoredMessage => {
    const { content, ...rest } = message as { content?: unknown } & Record<string, unknown>;
    const parts = Array.isArray(content) ? (content as Array<{ type?: unknown; text?: unknown }>) : null;
    const text = parts
      ? parts
          .flatMap((part) => (part.type === 'text' && typeof part.text === 'string' ? [part.text] : []))
          .join('')
      : typeof content === 'string'
        ? content
        : null;
    return {
      ...rest,
      id: `${record.id}-${i}`,
      content: text,
      refusal: null,
      content_parts: parts ? parts.filter((part) => part.type === 'text' || part.type === 'image_url') : null,
    };
  });
  return pageOf(messages, query);
}
