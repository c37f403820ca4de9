/**
 * Chat completions created with `store: true`, for `GET/POST/DELETE /v1/chat/completions/{id}`, the
 * list and a completion's messages. A port: kysely-chat-completions-store.ts implements it on
 * SQLite and PostgreSQL. The completion and the messages are JSON the chat surface owns. Every
 * lookup is scoped to the owner (an API key id): one key never reaches another's completions.
 */
export interface StoredChatCompletion {
  id: string;
  ownerId: string;
  model: string;
  /** The request's `metadata`: string values, filterable in the list. */
  metadata: Record<string, string>;
  /** The `chat.completion` object as the client got it. */
  completion: unknown;
  /** The request's messages, as sent. */
  messages: unknown[];
  /** Unix milliseconds. */
  createdAt: number;
  /** Unix milliseconds; an expired completion is gone. */
  expiresAt: number;
}

export interface ChatCompletionQuery {
  ownerId: string;
  now: number;
  model?: string;
  /** Every key must have this value. */
  metadata?: Record<string, string>;
  /** Only completions after this one in `order` (a cursor from an earlier page). */
  after?: { id: string; createdAt: number };
  order: 'asc' | 'desc';
  limit: number;
}

export interface ChatCompletionStore {
  save(record: StoredChatCompletion): Promise<void>;
  /** The owner's unexpired completion with this id. */
  get(id: string, ownerId: string, now: number): Promise<StoredChatCompletion | undefined>;
  /** The owner's unexpired completions by creation time (then id), at most `limit`. */
  list(query: ChatCompletionQuery): Promise<StoredChatCompletion[]>;
  /** Replaces the metadata; false when the owner has no such completion. */
  updateMetadata(id: string, ownerId: string, metadata: Record<string, string>): Promise<boolean>;
  /** True when the owner had such a completion. */
  delete(id: string, ownerId: string): Promise<boolean>;
  /** Forgets expired completions; returns how many. */
  sweep(now: number): Promise<number>;
}
