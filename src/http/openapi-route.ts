import type { OpenAPIHono, RouteConfig } from '@hono/zod-openapi';
import { z } from '@hono/zod-openapi';

type Registry = Pick<OpenAPIHono, 'openAPIRegistry'>;
type Responses = RouteConfig['responses'];
type ResponseConfig = Responses[string];

/**
 * Adds `route` to the app's OpenAPI registry, which /openapi.json is generated from, and returns its
 * path in Hono's syntax to register the handler under, so the route is written once.
 *
 * The route keeps its own validator (`validateJson` and the like) instead of `app.openapi()`'s:
 * that one answers a body whose content type is not JSON with a 415 before any hook runs, where every
 * surface answers it with a 400 in its own error shape naming the missing field.
 */
export function documented<R extends RouteConfig>(app: Registry, route: R): HonoPath<R['path']>;
/** The same, for a route whose Hono path says more than OpenAPI can (`/models/:id{.+}`). */
export function documented<P extends string>(app: Registry, route: RouteConfig, routingPath: P): P;
export function documented(app: Registry, route: RouteConfig, routingPath?: string): string {
  app.openAPIRegistry.registerPath(route);
  return routingPath ?? route.path.replaceAll(/\{([^}/]+)\}/g, ':$1');
}

/** `/sessions/{id}/messages` as Hono writes it, `/sessions/:id/messages`, so handlers see typed params. */
export type HonoPath<P extends string> = P extends `${infer Head}{${infer Name}}${infer Tail}`
  ? `${Head}:${Name}${HonoPath<Tail>}`
  : P;

/** A required JSON request body, described by the zod schema the route validates it with. */
export function jsonBody(schema: z.ZodType, description?: string) {
  return {
    required: true,
    ...(description ? { description } : {}),
    content: { 'application/json': { schema } },
  };
}

/** A JSON object whose fields the description names (kept loose where no client needs more). */
export const anyObject = z.looseObject({});

export function jsonResponse(description: string, schema: z.ZodType = anyObject): ResponseConfig {
  return { description, content: { 'application/json': { schema } } };
}

/** A reply that is JSON, or server-sent events when the request asked for a stream. */
export function jsonOrSseResponse(description: string, schema: z.ZodType = anyObject): ResponseConfig {
  return {
    description,
    content: { 'application/json': { schema }, 'text/event-stream': { schema: z.string() } },
  };
}

export function sseResponse(description: string): ResponseConfig {
  return { description, content: { 'text/event-stream': { schema: z.string() } } };
}

/** A path parameter, e.g. `{ id: pathParam('The session id.') }` as `request.params`. */
export function pathParams<K extends string>(names: Record<K, string>) {
  return z.object(
    Object.fromEntries(
      Object.entries<string>(names).map(([name, description]) => [
        name,
        z.string().openapi({ param: { name, in: 'path' }, description }),
      ]),
    ) as Record<K, z.ZodString>,
  );
}
