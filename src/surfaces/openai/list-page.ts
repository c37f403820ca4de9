/**
 * OpenAI's cursor-paged lists (`{object: "list", data, first_id, last_id, has_more}` with `limit`,
 * `order` and `after`), shared by the stored responses' input items and stored chat completions.
 */
import { z } from '@hono/zod-openapi';
import { invalidRequest } from '../../contract/errors.js';

export type ListOrder = 'asc' | 'desc';

export interface ListPage<T> {
  object: 'list';
  data: T[];
  /** Null on an empty page (OpenAI's clients read these only to page on). */
  first_id: string | null;
  last_id: string | null;
  has_more: boolean;
}

/** The query of a list: `limit` (1-100, default 20), `order` (its default differs by list), `after`. */
export function listQuerySchema(defaultOrder: ListOrder) {
  return z.object({
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(100)
      .default(20)
      .openapi({ description: '1 to 100; default 20.' }),
    order: z
      .enum(['asc', 'desc'])
      .default(defaultOrder)
      .openapi({ description: `By creation; default \`${defaultOrder}\`.` }),
    after: z.string().min(1).optional().openapi({ description: 'The last id of the previous page.' }),
  });
}

export interface ListQuery {
  limit: number;
  order: ListOrder;
  after?: string | undefined;
}

/** A page from up to `limit + 1` items already in the list's order: the extra one says there is more. */
export function listPage<T extends { id: string }>(items: readonly T[], limit: number): ListPage<T> {
  const data = items.slice(0, limit);
  return {
    object: 'list',
    data,
    first_id: data[0]?.id ?? null,
    last_id: data.at(-1)?.id ?? null,
    has_more: items.length > limit,
  };
}

/** A page of a whole list held in memory, oldest first; an unknown `after` is a 400 naming it. */
export function pageOf<T extends { id: string }>(oldestFirst: readonly T[], query: ListQuery): ListPage<T> {
  const ordered = query.order === 'asc' ? [...oldestFirst] : [...oldestFirst].reverse();
  let start = 0;
  if (query.after !== undefined) {
    const at = ordered.findIndex((item) => item.id === query.after);
    if (at === -1) throw unknownCursor(query.after);
    start = at + 1;
  }
  return listPage(ordered.slice(start, start + query.limit + 1), query.limit);
}

export function unknownCursor(after: string) {
  return invalidRequest(`No item with id '${after}' in this list.`, 'after', 'invalid_after');
}
