/**
 * /openapi.json is generated from the route definitions: it must be a valid OpenAPI 3.1 document,
 * describe every route the app serves, and describe nothing the app does not serve.
 */
import { validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { json } from '../core/wire.js';
import { useHarness } from '../helpers/gateway-harness.js';

const h = useHarness({ config: { GATEWAY_API_KEYS: 'sk-openapi-owner-key' } });

/** Where `app.use` middleware sits in the route table: not routes of their own. */
const MIDDLEWARE_PATHS = new Set(['/*', '/console/*', '/console/api/*']);

interface Document {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
}

/** `/models/:id{.+}`, `/sessions/{id}` and `/audio/*` all become `/models/{}`, ... to compare. */
const shape = (path: string) =>
  path
    .replaceAll(/:[A-Za-z0-9_]+(\{[^}]*\})?/g, '{}')
    .replaceAll(/\{[A-Za-z0-9_]+\}/g, '{}')
    .replace(/\/\*$/, '/{}');

async function served() {
  const doc: Document = await json(await fetch(`${h.origin}/openapi.json`));
  const documented = new Map<string, Set<string>>();
  for (const [path, operations] of Object.entries(doc.paths)) {
    documented.set(shape(path), new Set(Object.keys(operations).map((method) => method.toUpperCase())));
  }
  const routes = h.gateway.app.routes
    .filter((route) => !(route.method === 'ALL' && MIDDLEWARE_PATHS.has(route.path)))
    .map((route) => ({ method: route.method, path: route.path }));
  return { doc, documented, routes };
}

describe('the OpenAPI document', () => {
  it('is valid OpenAPI 3.1', async () => {
    const { doc } = await served();
    expect(doc.openapi).toBe('3.1.0');
    // The validator dereferences in place: give it a copy.
    const result = await validate(structuredClone(doc) as never);
    expect(result.valid ? [] : result.errors).toEqual([]);
  });

  it('describes every route the app serves, under /v1 for the ones also served without it', async () => {
    const { documented, routes } = await served();
    expect(routes.length).toBeGreaterThan(50);
    const missing = routes.filter(({ method, path }) => {
      const methods = documented.get(shape(path)) ?? documented.get(shape(`/v1${path}`));
      // `app.all` answers any method: documenting the one clients send is enough.
      return !methods || (method !== 'ALL' && !methods.has(method));
    });
    expect(missing).toEqual([]);
  });

  it('describes only routes the app serves', async () => {
    const { doc, routes } = await served();
    const servedRoutes = new Set(routes.map(({ method, path }) => `${method} ${shape(path)}`));
    const invented = Object.entries(doc.paths).flatMap(([path, operations]) =>
      Object.keys(operations)
        .map((method) => method.toUpperCase())
        .filter(
          (method) =>
            !servedRoutes.has(`${method} ${shape(path)}`) && !servedRoutes.has(`ALL ${shape(path)}`),
        )
        .map((method) => `${method} ${path}`),
    );
    expect(invented).toEqual([]);
  });

  it('names every surface’s request schema and error shape', async () => {
    const { doc } = await served();
    const schemas = Object.keys((doc as unknown as { components: { schemas: object } }).components.schemas);
    expect(schemas).toEqual(
      expect.arrayContaining([
        'ChatCompletionRequest',
        'ResponsesRequest',
        'CompletionRequest',
        'AnthropicMessagesRequest',
        'AnthropicCountTokensRequest',
        'NativeCreateSession',
        'TaskRequest',
        'TemplateGenerateRequest',
        'ExecuteRequest',
        'Error',
        'AnthropicError',
        'NativeError',
        'TaskError',
      ]),
    );
  });
});
