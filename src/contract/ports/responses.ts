/**
 * Stored Responses API responses, for `previous_response_id`, `GET /v1/responses/{id}` and
 * `DELETE`. A port: kysely-responses-store.ts implements it on SQLite and PostgreSQL.
 * The store knows no wire format: items and the response are JSON the Responses surface owns.
 * Every lookup is scoped to the owner (an API key id): one key never reaches another's responses.
 */
export interface StoredResponse {
  id: string;
  ownerId: string;
  previousResponseId: string | null;
  /** This request's own input items. */
  inputItems: unknown[];
  /** The response object as the client got it (its `output` are the turn's output items). */
  response: unknown;
  /** Unix milliseconds. */
  createdAt: number;
  /** Unix milliseconds; an expired response is gone. */
  expiresAt: number;
}

export interface ResponsesStore {
  save(record: StoredResponse): Promise<void>;
  /** The owner's unexpired response with this id. */
  get(id: string, ownerId: string, now: number): Promise<StoredResponse | undefined>;
  /** Moves the expiry of the owner's responses on (a continued conversation stays alive as a whole). */
  extend(ids: readonly string[], ownerId: string, expiresAt: number): Promise<void>;
  /** True when the owner had such a response. */
  delete(id: string, ownerId: string): Promise<boolean>;
  /** Forgets expired responses; returns how many. */
  sweep(now: number): Promise<number>;
}
