/**
 * Stored chat completions (`store: true`): GET the list (by `model` and `metadata[key]=value`,
 * paged), GET, POST (new metadata) and DELETE one, GET its messages. Scoped to the caller's key:
 * another key's completion is as unknown (404) as one that never was.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import '../../../http/context-variables.js';
import type { Context } from 'hono';
import { invalidRequest } from '../../../contract/errors.js';
import { documented, jsonBody, jsonResponse, pathParams } from '../../../http/openapi-route.js';
import { validateJson, validateQuery } from '../../../http/validate-json.js';
import { listPage, listQuerySchema, unknownCursor } from '../list-page.js';
import { openAIAuthErrors, openAIError } from '../openai-error-docs.js';
import { metadataSchema } from './schema.js';
import {
  type CompletionStoreDeps,
  completionNotFound,
  messagePage,
  storedCompletionBody,
} from './stored-completions.js';

/** Owner of stored completions when the gateway runs without keys (loopback use). */
export const NO_KEY_OWNER = 'anonymous';

export const ownerOf = (c: Context) => c.get('principal')?.id ?? NO_KEY_OWNER;

const completionId = pathParams({ id: 'The chat completion id (`chatcmpl-...`).' });
const notFound = openAIError('No such stored completion for this key (or it expired).');

const listQuery = listQuerySchema('asc').extend({
  model: z.string().min(1).optional().openapi({ description: 'Only completions of this model.' }),
});

const listRoute = createRoute({
  method: 'get',
  path: '/chat/completions',
  summary: 'List stored chat completions',
  description:
    'Completions created with `store: true` by this key, oldest first by default. `metadata[key]=value` (repeatable) keeps those whose metadata has every such pair.',
  request: { query: listQuery },
  responses: {
    200: jsonResponse('`{object: "list", data, first_id, last_id, has_more}` of chat completions.'),
    400: openAIError('A bad `limit` or `order`, or an `after` that is not one of the completions.'),
    401: openAIAuthErrors[401],
  },
});

const getRoute = createRoute({
  method: 'get',
  path: '/chat/completions/{id}',
  summary: 'Retrieve a stored chat completion',
  request: { params: completionId },
  responses: {
    200: jsonResponse('The chat completion, with its metadata.'),
    401: openAIAuthErrors[401],
    404: notFound,
  },
});

const updateBody = z.object({ metadata: metadataSchema });

const updateRoute = createRoute({
  method: 'post',
  path: '/chat/completions/{id}',
  summary: 'Replace the metadata of a stored chat completion',
  request: { params: completionId, body: jsonBody(updateBody.openapi('ChatCompletionUpdate')) },
  responses: {
    200: jsonResponse('The chat completion, with its new metadata.'),
    400: openAIError('`metadata` missing or invalid.'),
    401: openAIAuthErrors[401],
    404: notFound,
    413: openAIError('Body larger than allowed.'),
  },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: '/chat/completions/{id}',
  summary: 'Delete a stored chat completion',
  request: { params: completionId },
  responses: {
    200: jsonResponse(
      'It is gone.',
      z.object({ id: z.string(), object: z.literal('chat.completion.deleted'), deleted: z.literal(true) }),
    ),
    401: openAIAuthErrors[401],
    404: notFound,
  },
});

const messagesQuery = listQuerySchema('asc');

const messagesRoute = createRoute({
  method: 'get',
  path: '/chat/completions/{id}/messages',
  summary: "List a stored chat completion's request messages",
  request: { params: completionId, query: messagesQuery },
  responses: {
    200: jsonResponse(
      '`{object: "list", data, first_id, last_id, has_more}` of messages, each with its `id`.',
    ),
    400: openAIError('A bad `limit` or `order`, or an `after` that is not one of the messages.'),
    401: openAIAuthErrors[401],
    404: notFound,
  },
});

/** `metadata[key]=value` pairs of the query string. */
function metadataFilter(c: Context): Record<string, string> {
  const filter: Record<string, string> = {};
  for (const [name, values] of Object.entries(c.req.queries())) {
    const key = /^metadata\[(.+)\]$/.exec(name)?.[1];
    if (key === undefined) continue;
    const [value, ...more] = values;
    if (value === undefined || more.length > 0) {
      throw invalidRequest(`Give one value for '${name}'.`, name);
    }
    filter[key] = value;
  }
  return filter;
}

export function storedCompletionRoutes(deps: CompletionStoreDeps) {
  const app = new OpenAPIHono();
  const stored = async (c: Context, id: string) => {
    const record = await deps.completions.get(id, ownerOf(c), deps.now());
    if (!record) throw completionNotFound(id);
    return record;
  };

  app.get(documented(app, listRoute), validateQuery(listQuery), async (c) => {
    const { limit, order, after, model } = c.req.valid('query');
    const ownerId = ownerOf(c);
    const now = deps.now();
    let cursor: { id: string; createdAt: number } | undefined;
    if (after !== undefined) {
      const record = await deps.completions.get(after, ownerId, now);
      if (!record) throw unknownCursor(after);
      cursor = { id: record.id, createdAt: record.createdAt };
    }
    const records = await deps.completions.list({
      ownerId,
      now,
      order,
      limit: limit + 1,
      metadata: metadataFilter(c),
      ...(model !== undefined ? { model } : {}),
      ...(cursor ? { after: cursor } : {}),
    });
    const page = listPage(
      records.map((record) => ({ ...storedCompletionBody(record), id: record.id })),
      limit,
    );
    return c.json(page);
  });

  app.get(documented(app, getRoute), async (c) =>
    c.json(storedCompletionBody(await stored(c, c.req.param('id')))),
  );

  app.post(documented(app, updateRoute), validateJson(updateBody), async (c) => {
    const record = await stored(c, c.req.param('id'));
    const { metadata } = c.req.valid('json');
    if (!(await deps.completions.updateMetadata(record.id, record.ownerId, metadata))) {
      throw completionNotFound(record.id);
    }
    return c.json(storedCompletionBody({ ...record, metadata }));
  });

  app.delete(documented(app, deleteRoute), async (c) => {
    const id = c.req.param('id');
    if (!(await deps.completions.delete(id, ownerOf(c)))) throw completionNotFound(id);
    return c.json({ id, object: 'chat.completion.deleted', deleted: true });
  });

  app.get(documented(app, messagesRoute), validateQuery(messagesQuery), async (c) => {
    const record = await stored(c, c.req.param('id'));
    const { limit, order, after } = c.req.valid('query');
    return c.json(messagePage(record, { limit, order, after }));
  });
  return app;
}
