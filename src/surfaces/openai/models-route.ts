import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { modelNotFound } from '../../contract/errors.js';
import type { Principal } from '../../contract/key-policy.js';
import type { ModelCatalog } from '../../core/model-catalog.js';
import '../../http/context-variables.js';
import { documented, jsonResponse, pathParams } from '../../http/openapi-route.js';
import { openAIAuthErrors, openAIError } from './openai-error-docs.js';

interface ModelObject {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

const modelSchema = z
  .object({ id: z.string(), object: z.literal('model'), created: z.number().int(), owned_by: z.string() })
  .openapi('Model');

const listModels = createRoute({
  method: 'get',
  path: '/models',
  summary: 'List the served models this key may use',
  responses: {
    200: jsonResponse('The models.', z.object({ object: z.literal('list'), data: z.array(modelSchema) })),
    401: openAIAuthErrors[401],
  },
});

const getModel = createRoute({
  method: 'get',
  path: '/models/{id}',
  summary: 'Describe one model the key may use (ids and aliases; an id may contain `/`)',
  request: { params: pathParams({ id: 'A served model id or alias.' }) },
  responses: {
    200: jsonResponse('The model.', modelSchema),
    401: openAIAuthErrors[401],
    404: openAIError('Unknown model, or one this key may not use.'),
  },
});

export function modelsRoutes(models: ModelCatalog, options: { created: number }) {
  const toObject = (id: string): ModelObject => ({
    id,
    object: 'model',
    created: options.created,
    owned_by: 'anthropic',
  });
  // A key sees only the models it may use, as OpenAI lists only the models an account has access to.
  const allowedTo = (c: Context) => (c.get('principal') as Principal | undefined)?.policy.models;
  const app = new OpenAPIHono();
  app.get(documented(app, listModels), (c) =>
    c.json({ object: 'list', data: models.idsAllowed(allowedTo(c)).map(toObject) }),
  );
  app.get(documented(app, getModel, '/models/:id{.+}'), (c) => {
    // Hono has already decoded the parameter; decoding again breaks on a literal '%' (a 500).
    const id = c.req.param('id');
    const allowed = allowedTo(c);
    if (models.resolve(id) === undefined || (allowed && !models.allows(allowed, id))) throw modelNotFound(id);
    return c.json(toObject(id));
  });
  return app;
}
