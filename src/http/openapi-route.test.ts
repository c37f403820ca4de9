import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from './openapi-document.js';
import { documented, jsonBody, jsonResponse, pathParams } from './openapi-route.js';
import { validateJson } from './validate-json.js';

const body = z.object({ prompt: z.string().min(1) }).openapi('TurnRequest');
const sendTurn = createRoute({
  method: 'post',
  path: '/sessions/{id}/turns/{turn}',
  summary: 'Send a turn',
  request: { params: pathParams({ id: 'Session.', turn: 'Turn.' }), body: jsonBody(body) },
  responses: { 200: jsonResponse('Sent.') },
});

describe('documented routes', () => {
  it('serve under the Hono form of their path, with the surface’s own validation', async () => {
    const app = new OpenAPIHono();
    const path = documented(app, sendTurn);
    expect(path).toBe('/sessions/:id/turns/:turn');
    app.post(path, validateJson(body), (c) => c.json({ id: c.req.param('id'), ...c.req.valid('json') }));

    const ok = await app.request('/sessions/s1/turns/2', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'hi' }),
    });
    expect(await ok.json()).toEqual({ id: 's1', prompt: 'hi' });
    // Not JSON: the surface's validator judges the body as `{}` (a 400 naming the field), no 415.
    app.onError((err, c) => c.json({ error: err.message }, 400));
    const text = await app.request('/sessions/s1/turns/2', {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hi',
    });
    expect(text.status).toBe(400);
    expect(await text.json()).toEqual({ error: expect.stringContaining("'prompt'") });
  });

  it('keep a Hono path that says more than OpenAPI can', () => {
    const app = new OpenAPIHono();
    const route = createRoute({
      method: 'get',
      path: '/models/{id}',
      request: { params: pathParams({ id: 'Model.' }) },
      responses: { 200: jsonResponse('The model.') },
    });
    expect(documented(app, route, '/models/:id{.+}')).toBe('/models/:id{.+}');
  });

  it('appear in the document under the prefix the app mounts them at, their schemas as components', () => {
    const routes = new OpenAPIHono();
    documented(routes, sendTurn);
    const doc = buildOpenApiDocument({ version: '1.2.3' }, [{ prefix: '/v1', routes }]) as {
      info: { version: string };
      paths: Record<string, Record<string, { parameters: Array<{ name: string; in: string }> }>>;
      components: { schemas: Record<string, unknown> };
    };
    expect(doc.info.version).toBe('1.2.3');
    expect(Object.keys(doc.paths)).toEqual(['/v1/sessions/{id}/turns/{turn}']);
    const operation = doc.paths['/v1/sessions/{id}/turns/{turn}']?.post;
    expect(operation?.parameters.map(({ name, in: where }) => `${where}:${name}`)).toEqual([
      'path:id',
      'path:turn',
    ]);
    expect(doc.components.schemas.TurnRequest).toMatchObject({ required: ['prompt'] });
  });
});
