import { Hono } from 'hono';
import type { ModelCatalog } from '../claude/model-catalog.js';
import { modelNotFound } from '../core/errors.js';

interface ModelObject {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

export function modelsRoutes(models: ModelCatalog, options: { created: number }) {
  const toObject = (id: string): ModelObject => ({
    id,
    object: 'model',
    created: options.created,
    owned_by: 'anthropic',
  });
  return new Hono()
    .get('/models', (c) => c.json({ object: 'list', data: models.ids.map(toObject) }))
    .get('/models/:id{.+}', (c) => {
      // Hono has already decoded the parameter; decoding again breaks on a literal '%' (a 500).
      const id = c.req.param('id');
      if (models.resolve(id) === undefined) throw modelNotFound(id);
      return c.json(toObject(id));
    });
}
