import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ErrorRenderer } from '../contract/gateway-error.js';

/**
 * What a surface hands the app: its routes and who renders errors under which paths. Registering a
 * surface is one entry in `AppDeps.surfaces` (see src/gateway.ts).
 */
export interface Surface {
  name: string;
  /** Each route registers its OpenAPI definition here, which /openapi.json is generated from. */
  routes: OpenAPIHono;
  /** `api` (default): served under /v1 and at the root, like the OpenAI routes; `root`: as given. */
  mount?: 'api' | 'root';
  /** False for a surface that only answers "not supported": the start-up line does not list it. */
  listed?: boolean;
  /** Path prefixes whose errors (including 404s and body-guard failures) this surface renders. */
  errors?: Array<{ prefix: string; renderer: ErrorRenderer }>;
}
