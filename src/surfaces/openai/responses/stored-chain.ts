/**
 * `previous_response_id` over the responses store: the conversation so far is every stored
 * response's input and output items, oldest first. Output items are valid input items, so the
 * chain becomes the same turns a client resending its whole history would send, and the core's
 * session fingerprints resume the same Claude Code session either way.
 */
import { z } from 'zod';
import { GatewayError } from '../../../contract/gateway-error.js';
import type { ResponsesStore, StoredResponse } from '../../../contract/ports/responses.js';
import type { ResponseObject } from './response-object.js';
import { type InputItem, inputItemSchema } from './schema.js';

/** Bounds the walk; a conversation this long has outgrown any context window anyway. */
const MAX_CHAIN = 1000;

const storedItems = z.array(inputItemSchema);
const storedOutput = z.looseObject({ output: storedItems });

export function responseNotFound(id: string, param: string | null): GatewayError {
  return new GatewayError({
    kind: 'not_found',
    status: 404,
    message: `Response with id '${id}' not found.`,
    param,
    code: 'response_not_found',
  });
}

/**
 * The items of the chain ending at `id`, oldest first; every response in it lives on for `ttlMs`
 * more, as the session of a conversation in use does. Unknown or expired: a 404 naming
 * `previous_response_id`.
 */
export async function loadChainItems(
  store: ResponsesStore,
  id: string,
  ownerId: string,
  options: { now: number; ttlMs: number },
): Promise<InputItem[]> {
  const records: StoredResponse[] = [];
  let next: string | null = id;
  while (next !== null && records.length < MAX_CHAIN) {
    const record = await store.get(next, ownerId, options.now);
    if (!record) throw responseNotFound(next, 'previous_response_id');
    records.push(record);
    next = record.previousResponseId;
  }
  await store.extend(
    records.map((record) => record.id),
    ownerId,
    options.now + options.ttlMs,
  );
  return records.reverse().flatMap((record) => {
    const input = storedItems.safeParse(record.inputItems);
    const output = storedOutput.safeParse(record.response);
    // Only the gateway writes these rows; a row it cannot read is as good as gone.
    if (!input.success || !output.success) throw responseNotFound(record.id, 'previous_response_id');
    return [...input.data, ...output.data.output];
  });
}

/**
 * Output item ids carry their response's id (`fc_<hex>_<n>` belongs to `resp_<hex>`), so an
 * `item_reference` is found by reading one stored response, without an index of items.
 */
export function itemIdFor(responseId: string, prefix: string, n: number): string {
  return `${prefix}_${responseId.replace(/^resp_/, '')}_${n}`;
}

function responseIdOfItem(itemId: string): string | undefined {
  const match = /^[a-z]+_(.+)_\d+$/.exec(itemId);
  return match ? `resp_${match[1]}` : undefined;
}

/** `item_reference` items replaced by the stored items they name (the owner's, unexpired). */
export async function resolveItemReferences(
  store: ResponsesStore,
  items: readonly InputItem[],
  ownerId: string,
  now: number,
): Promise<InputItem[]> {
  const resolved: InputItem[] = [];
  for (const [i, item] of items.entries()) {
    if (item.type !== 'item_reference') {
      resolved.push(item);
      continue;
    }
    const responseId = responseIdOfItem(item.id);
    const record = responseId === undefined ? undefined : await store.get(responseId, ownerId, now);
    const output = record && storedOutput.safeParse(record.response);
    const found = output?.success
      ? output.data.output.find((candidate) => 'id' in candidate && candidate.id === item.id)
      : undefined;
    if (!found) {
      throw new GatewayError({
        kind: 'not_found',
        status: 404,
        message: `Item with id '${item.id}' not found.`,
        param: `input[${i}].id`,
        code: 'item_not_found',
      });
    }
    resolved.push(found);
  }
  return resolved;
}

export function toStoredResponse(
  response: ResponseObject,
  inputItems: readonly InputItem[],
  ownerId: string,
  options: { now: number; ttlMs: number },
): StoredResponse {
  return {
    id: response.id,
    ownerId,
    previousResponseId: response.previous_response_id,
    inputItems: [...inputItems],
    response,
    status: response.status,
    background: response.background,
    createdAt: options.now,
    expiresAt: options.now + options.ttlMs,
  };
}
