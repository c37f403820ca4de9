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

interface DescribedOperation {
  requestBody?: unknown;
  responses: Record<string, unknown>;
}

/** Probes and docs: no key, not turned away while the gateway drains. */
const PUBLIC = new Set([
  '/health',
  '/ready',
  '/metrics',
  '/openapi.json',
  '/docs',
  '/docs/swagger-ui.css',
  '/docs/swagger-ui-bundle.js',
]);

/**
 * Operations that run Claude Code, with the statuses a run can end in before its first byte: a limit
 * (429), the Claude API or Claude Code failing (502), no slot, an overloaded API or shutting down
 * (503; Anthropic's own 529 on its surface), the run's time running out (504).
 */
const RUNS: Record<string, readonly string[]> = {
  'POST /v1/chat/completions': ['429', '502', '503', '504'],
  'POST /v1/completions': ['429', '502', '503', '504'],
  'POST /v1/responses': ['429', '502', '503', '504'],
  'POST /v1/messages': ['429', '502', '504', '529'],
  'POST /api/v1/tasks': ['429', '502', '503', '504'],
  'POST /api/v1/templates/{name}/generate': ['429', '502', '503', '504'],
  'POST /api/generate/card': ['429', '502', '503', '504'],
  'POST /api/generate/card/stream': ['429', '502', '503', '504'],
  'POST /api/claude/execute': ['429', '502', '503', '504'],
  'POST /api/execute': ['429', '502', '503', '504'],
  'POST /api/execute/stream': ['429', '502', '503', '504'],
  'POST /api/v1/sessions/{id}/messages': ['429', '502', '503', '504'],
  'POST /api/v1/sessions/{id}/stream': ['429', '502', '503', '504'],
  'GET /api/v1/sessions/{id}/stream': ['429', '502', '503', '504'],
};

/** What particular routes answer besides: an unknown model by name, a query or body they refuse. */
const PARTICULAR: Record<string, readonly string[]> = {
  'POST /api/v1/tasks': ['404'],
  'GET /console/api/usage': ['400'],
  'GET /console/api/usage.csv': ['400'],
  'GET /console/api/requests': ['400'],
  'GET /console/api/overview': ['400'],
  'POST /console/api/playground': ['400', '404', '429', '502', '503', '504'],
};

/** Every status an operation can answer with, from the guards in front of it and what it does. */
function expectedStatuses(method: string, path: string, operation: DescribedOperation): string[] {
  const isPublic = PUBLIC.has(path);
  const statuses = ['403'];
  // Anthropic's wire answers "unavailable" (shutting down, no slot) with its own 529.
  if (!isPublic) statuses.push(path.startsWith('/v1/messages') ? '529' : '503');
  if (!isPublic && !path.startsWith('/console')) statuses.push('401');
  if (operation.requestBody !== undefined) statuses.push('400', '413');
  statuses.push(...(RUNS[`${method} ${path}`] ?? []), ...(PARTICULAR[`${method} ${path}`] ?? []));
  return [...new Set(statuses)];
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

  it('declares every status a route can produce: its guards’, its run’s and its own', async () => {
    const { doc } = await served();
    const undeclared: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations as Record<string, DescribedOperation>)) {
        const declared = new Set(Object.keys(operation.responses));
        const missing = expectedStatuses(method.toUpperCase(), path, operation).filter(
          (status) => !declared.has(status),
        );
        if (missing.length > 0) undeclared.push(`${method.toUpperCase()} ${path}: ${missing.join(', ')}`);
      }
    }
    expect(undeclared).toEqual([]);
    // The run routes of the list exist: a renamed route cannot slip out of the check.
    for (const key of [...Object.keys(RUNS), ...Object.keys(PARTICULAR)]) {
      const [method = '', path = ''] = key.split(' ');
      expect(doc.paths[path]?.[method.toLowerCase()], key).toBeDefined();
    }
  });

  it('declares guard statuses in the operation’s own error shape', async () => {
    const { doc } = await served();
    const errorRef = (path: string, method: string, status: string) =>
      JSON.stringify((doc.paths[path]?.[method] as DescribedOperation | undefined)?.responses[status]);
    expect(errorRef('/v1/messages/count_tokens', 'post', '413')).toContain('AnthropicError');
    expect(errorRef('/api/v1/sessions/{id}', 'get', '503')).toContain('NativeError');
    expect(errorRef('/api/v1/tasks', 'get', '503')).toContain('TaskError');
    expect(errorRef('/v1/embeddings', 'post', '401')).toContain('#/components/schemas/Error');
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
