/**
 * A stored response by id: GET (and, for a background one, its stream from any point), DELETE,
 * POST .../cancel and GET .../input_items. Scoped to the caller's key: another key's response is as
 * unknown (404) as one that never was.
 */
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { invalidRequest } from '../../../contract/errors.js';
import { documented, jsonOrSseResponse, jsonResponse, pathParams } from '../../../http/openapi-route.js';
import { writeSse } from '../../../http/sse.js';
import { validateQuery } from '../../../http/validate-json.js';
import { listQuerySchema } from '../list-page.js';
import { openAIAuthErrors, openAIError } from '../openai-error-docs.js';
import { listInputItems } from './input-items.js';
import type { ResponsesDeps } from './respond.js';
import { responseNotFound } from './stored-chain.js';
import { ownerOf, sseFrames } from './wire.js';

const responseId = pathParams({ id: 'The response id (`resp_...`).' });

const retrieveQuery = z.object({
  stream: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ description: '`true`: the events of a background response, as server-sent events.' }),
  starting_after: z.coerce.number().int().min(-1).optional().openapi({
    description: 'With `stream=true`: resume after this `sequence_number` (default: from the start).',
  }),
  include: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .openapi({ description: 'Accepted and ignored.' }),
});

const getResponse = createRoute({
  method: 'get',
  path: '/responses/{id}',
  summary: 'Retrieve a stored response, or stream a background one',
  request: { params: responseId, query: retrieveQuery },
  responses: {
    200: jsonOrSseResponse(
      'The response object; with `stream=true` (background responses) its events after `starting_after`, then the live ones until it ends.',
    ),
    400: openAIError(
      '`stream=true` on a response not created with `background: true`, or a bad query value.',
    ),
    401: openAIAuthErrors[401],
    404: openAIError('No such response for this key (or it expired).'),
  },
});

const deleteResponse = createRoute({
  method: 'delete',
  path: '/responses/{id}',
  summary: 'Delete a stored response',
  request: { params: responseId },
  responses: {
    200: jsonResponse(
      'The response is gone.',
      z.object({ id: z.string(), object: z.literal('response.deleted'), deleted: z.literal(true) }),
    ),
    401: openAIAuthErrors[401],
    404: openAIError('No such response for this key.'),
  },
});

const cancelResponse = createRoute({
  method: 'post',
  path: '/responses/{id}/cancel',
  summary: 'Cancel a background response',
  description:
    'Stops its run wherever it runs and answers the response, `cancelled`; a response that already ended comes back as it is.',
  request: { params: responseId },
  responses: {
    200: jsonResponse('The response as it ended.'),
    400: openAIError('The response was not created with `background: true`.'),
    401: openAIAuthErrors[401],
    404: openAIError('No such response for this key (or it expired).'),
  },
});

const inputItemsQuery = listQuerySchema('desc').extend({
  include: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .openapi({ description: 'Accepted and ignored.' }),
});

const listInputItemsRoute = createRoute({
  method: 'get',
  path: '/responses/{id}/input_items',
  summary: 'List the input items of a stored response',
  request: { params: responseId, query: inputItemsQuery },
  responses: {
    200: jsonResponse('`{object: "list", data, first_id, last_id, has_more}` of items, each with its `id`.'),
    400: openAIError('A bad `limit` or `order`, or an `after` that is not an item of this list.'),
    401: openAIAuthErrors[401],
    404: openAIError('No such response for this key (or it expired).'),
  },
});

export function storedResponseRoutes(deps: ResponsesDeps) {
  const now = deps.now ?? Date.now;
  const app = new OpenAPIHono();
  const stored = async (id: string, ownerId: string) => {
    const record = await deps.store.get(id, ownerId, now());
    if (!record) throw responseNotFound(id, null);
    return record;
  };

  app.get(documented(app, getResponse), validateQuery(retrieveQuery), async (c) => {
    const query = c.req.valid('query');
    const record = await stored(c.req.param('id'), ownerOf(c));
    if (query.stream !== 'true') return c.json(record.response as Record<string, unknown>);
    if (!record.background) {
      throw invalidRequest('Only responses created with background: true can be streamed again.', 'stream');
    }
    const following = new AbortController();
    const events = deps.background.follow(
      record.id,
      record.ownerId,
      query.starting_after ?? -1,
      following.signal,
    );
    return writeSse(c, sseFrames(events), {
      keepAliveMs: deps.keepAliveMs,
      onAbort: () => following.abort(),
    });
  });

  app.delete(documented(app, deleteResponse), async (c) => {
    const id = c.req.param('id');
    const deleted = await deps.store.delete(id, ownerOf(c));
    if (!deleted) throw responseNotFound(id, null);
    return c.json({ id, object: 'response.deleted', deleted: true });
  });

  app.post(documented(app, cancelResponse), async (c) => {
    const record = await stored(c.req.param('id'), ownerOf(c));
    const ended = await deps.background.cancel(record);
    return c.json(ended.response as Record<string, unknown>);
  });

  app.get(documented(app, listInputItemsRoute), validateQuery(inputItemsQuery), async (c) => {
    const record = await stored(c.req.param('id'), ownerOf(c));
    const { limit, order, after } = c.req.valid('query');
    return c.json(listInputItems(record, { limit, order, after }));
  });
  return app;
}
