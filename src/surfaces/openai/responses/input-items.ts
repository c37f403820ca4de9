/**
 * `GET /v1/responses/{id}/input_items`: the items a stored response was created from, as OpenAI
 * lists them (ItemResource): each with an id and a status, message content always a list of parts.
 * Items the client sent without an id get one derived from the response's (stable across reads).
 */
import { z } from 'zod';
import type { StoredResponse } from '../../../contract/ports/responses.js';
import { type ListPage, type ListQuery, pageOf } from '../list-page.js';
import { type InputItem, inputItemSchema } from './schema.js';
import { responseNotFound } from './stored-chain.js';

export type ItemResource = Record<string, unknown> & { id: string; type: string };

const storedItems = z.array(inputItemSchema);

export function listInputItems(record: StoredResponse, query: ListQuery): ListPage<ItemResource> {
  const items = storedItems.safeParse(record.inputItems);
  // Only the gateway writes these rows; a row it cannot read is as good as gone.
  if (!items.success) throw responseNotFound(record.id, null);
  const hex = record.id.replace(/^resp_/, '');
  return pageOf(
    items.data.map((item, i) => itemResource(item, `${hex}_in${i}`)),
    query,
  );
}

/** The listed form of one input item; `idSuffix` makes the id of an item sent without one. */
export function itemResource(item: InputItem, idSuffix: string): ItemResource {
  switch (item.type) {
    case 'message': {
      const { type: _type, id, status: _status, content, role, ...rest } = item;
      const parts: unknown[] =
        typeof content === 'string'
          ? [
              role === 'assistant'
                ? { type: 'output_text', text: content }
                : { type: 'input_text', text: content },
            ]
          : content;
      // An assistant message is listed as an output message, whose text parts carry these lists.
      const listed = parts.map((part) =>
        role === 'assistant' && (part as { type?: unknown }).type === 'output_text'
          ? { annotations: [], logprobs: [], ...(part as object) }
          : part,
      );
      return {
        id: id ?? `msg_${idSuffix}`,
        type: 'message',
        role,
        content: listed,
        status: 'completed',
        ...rest,
      };
    }
    case 'function_call':
      return { ...item, id: item.id ?? `fc_${idSuffix}`, status: item.status ?? 'completed' };
    case 'function_call_output':
      return { ...item, id: item.id ?? `fco_${idSuffix}`, status: item.status ?? 'completed' };
    case 'compaction':
      return { ...item, id: item.id ?? `cmp_${idSuffix}` };
    case 'reasoning':
      return { summary: [], ...item, id: typeof item.id === 'string' ? item.id : `rs_${idSuffix}` };
    default:
      // References are resolved before a response is stored; other types are refused before that.
      return { ...item, id: `item_${idSuffix}`, type: item.type };
  }
}
