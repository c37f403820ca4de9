import type { OpenAPIHono } from '@hono/zod-openapi';
import type { ErrorRenderer } from '../contract/gateway-error.js';
import type { RateLimitHeaderRenderer } from './rate-limit-headers.js';

/**
 * What a surface hands the app: its routes and who renders errors under which paths. Registering a
 * surface is one entry in `AppDeps.surfaces` (see src/gateway/).
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
  /** Rate-limit headers this surface's clients read besides the standard ones, for paths under `prefix`. */
  rateLimitHeaders?: Array<{ prefix: string; render: RateLimitHeaderRenderer }>;
}
