import { swaggerUI } from '@hono/swagger-ui';
import { Hono } from 'hono';

/** GET /openapi.json and GET /docs (Swagger UI rendering it; its script and styles come from a CDN). */
export function apiDocsRoutes(document: Record<string, unknown>) {
  return new Hono()
    .get('/openapi.json', (c) => c.json(document))
    .get('/docs', swaggerUI({ url: '/openapi.json', title: 'claude-gateway API' }));
}
