import { OpenAPIHono } from '@hono/zod-openapi';
import type { Surface } from '../../http/surface.js';
import { renderNativeError } from './render-error.js';
import { type TaskRouteDeps, taskRoutes } from './route.js';
import { type SeedRouteDeps, seedRoutes } from './seed-routes.js';
import { type TemplateRouteDeps, templateRoutes } from './templates-route.js';

/** Paths whose errors are rendered in the native shape by this surface. */
export const TASK_PATH_PREFIXES = [
  '/api/v1/tasks',
  '/api/v1/agents',
  '/api/v1/skills',
  '/api/v1/templates',
  '/api/generate',
  '/api/execute',
  '/api/claude',
];

export type TasksSurfaceDeps = TaskRouteDeps & TemplateRouteDeps & SeedRouteDeps;

/**
 * Agentic tasks, the owner's agents and skills, prompt templates and the seed servers' routes, at
 * the paths given (not under /v1).
 */
export function tasksSurface(deps: TasksSurfaceDeps): Surface {
  const routes = new OpenAPIHono();
  routes.route('/', taskRoutes(deps));
  routes.route('/', templateRoutes(deps));
  routes.route('/', seedRoutes(deps));
  return {
    name: 'tasks',
    routes,
    mount: 'root',
    errors: TASK_PATH_PREFIXES.map((prefix) => ({ prefix, renderer: renderNativeError })),
  };
}
