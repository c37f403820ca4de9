import { OpenAPIHono } from '@hono/zod-openapi';
import { declareGuardStatuses, type GuardedPaths } from './openapi-guard-statuses.js';

export type JsonObject = Record<string, unknown>;

export interface OpenApiInfo {
  version: string;
}

/** Routes to describe and where the app serves them (`/v1` for the API routes, `/` for the rest). */
export interface DescribedRoutes {
  prefix: string;
  routes: OpenAPIHono;
}

/**
 * The OpenAPI 3.1 document served at /openapi.json, generated from the route definitions each
 * surface registers (src/http/openapi-route.ts), under the prefix the app mounts them at.
 */
export function buildOpenApiDocument(
  info: OpenApiInfo,
  described: readonly DescribedRoutes[],
  /** The guards in front of the routes, whose statuses every operation then declares. */
  guarded?: GuardedPaths,
): JsonObject {
  // Only a registry: merging happens in `route()`, and this app never serves a request.
  const registry = new OpenAPIHono();
  for (const { prefix, routes } of described) registry.route(prefix, routes);
  registry.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'What OpenAI clients send.',
  });
  registry.openAPIRegistry.registerComponent('securitySchemes', 'apiKeyHeader', {
    type: 'apiKey',
    in: 'header',
    name: 'x-api-key',
    description: 'What Anthropic clients send.',
  });
  const document = registry.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'claude-gateway',
      version: info.version,
      description:
        'Claude Code behind the OpenAI, Anthropic and its own native APIs. Every path under /v1 also answers without the /v1 prefix.',
    },
    servers: [{ url: '/' }],
    security: [{ bearerAuth: [] }, { apiKeyHeader: [] }],
  });
  // Served as JSON: what the generator leaves `undefined` would vanish on the wire anyway.
  const served = JSON.parse(JSON.stringify(document)) as JsonObject;
  if (guarded) declareGuardStatuses(served, guarded);
  return served;
}
