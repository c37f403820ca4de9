import type { Surface } from '../../http/surface.js';
import { renderNativeError } from './render-error.js';
import { type TaskRouteDeps, taskRoutes } from './route.js';

/** Paths whose errors are rendered in the native shape by this surface. */
export const TASK_PATH_PREFIXES = ['/api/v1/tasks', '/api/v1/agents', '/api/v1/skills'];

/** Agentic tasks and the owner's agents and skills, at the paths given (not under /v1). */
export function tasksSurface(deps: TaskRouteDeps): Surface {
  return {
    name: 'tasks',
    routes: taskRoutes(deps),
    mount: 'root',
    errors: TASK_PATH_PREFIXES.map((prefix) => ({ prefix, renderer: renderNativeError })),
  };
}
