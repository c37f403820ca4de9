/**
 * Stored Responses API responses, for `previous_response_id`, `GET /v1/responses/{id}` (and its
 * input items), `DELETE`, and background responses with their event logs. A port:
 * kysely-responses-store.ts implements it on SQLite and PostgreSQL.
 * The store knows no wire format: items, the response and events are JSON the Responses surface owns.
 * Every lookup is scoped to the owner (an API key id): one key never reaches another's responses.
 */

/** Where a response is in its life; only `queued` and `in_progress` change again. */
export type StoredResponseStatus =
  | 'queued'
  | 'in_progress'
  | 'completed'
  | 'incomplete'
  | 'failed'
  | 'cancelled';

export const RUNNING_RESPONSE_STATUSES: readonly StoredResponseStatus[] = ['queued', 'in_progress'];

export interface StoredResponse {
  id: string;
  ownerId: string;
  previousResponseId: string | null;
  /** This request's own input items. */
  inputItems: unknown[];
  /** The response object as the client got it (its `output` are the turn's output items). */
  response: unknown;
  status: StoredResponseStatus;
  /** Created with `background: true`: it runs detached, keeps an event log and can be cancelled. */
  background: boolean;
  /** Unix milliseconds. */
  createdAt: number;
  /** Unix milliseconds; an expired response is gone. */
  expiresAt: number;
}

/** One event of a background response's log, by its `sequence_number`. */
export interface StoredResponseEvent {
  seq: number;
  event: unknown;
}

export interface ResponsesStore {
  save(record: StoredResponse): Promise<void>;
  /** The owner's unexpired response with this id. */
  get(id: string, ownerId: string, now: number): Promise<StoredResponse | undefined>;
  /**
   * Replaces the object and status of a response still running (queued or in progress); false when
   * it had ended already, so a cancel racing the run's own end keeps whichever came first.
   */
  update(id: string, response: unknown, status: StoredResponseStatus): Promise<boolean>;
  /** Moves the expiry of the owner's responses on (a continued conversation stays alive as a whole). */
  extend(ids: readonly string[], ownerId: string, expiresAt: number): Promise<void>;
  /** True when the owner had such a response. */
  delete(id: string, ownerId: string): Promise<boolean>;
  /** Forgets expired responses (and their event logs); returns how many. */
  sweep(now: number): Promise<number>;
  appendEvent(responseId: string, event: StoredResponseEvent): Promise<void>;
  /** A response's logged events after `afterSeq`, in order. */
  events(responseId: string, afterSeq: number): Promise<StoredResponseEvent[]>;
  /** Background responses still running that this gateway started (all of them on the embedded file). */
  running(): Promise<StoredResponse[]>;
}
