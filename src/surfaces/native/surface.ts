import type { Surface } from '../../http/surface.js';
import { nativeRateLimitHeaders } from './rate-limit-headers.js';
import { renderNativeError } from './render-error.js';
import { type NativeRouteDeps, nativeRoutes } from './route.js';

/**
 * The native API as the app mounts it: routes at the root (they carry their /api/v1 prefix), and
 * under /api its error bodies and its own rate-limit headers (the task routes live there too).
 */
export function nativeSurface(deps: NativeRouteDeps): Surface {
  return {
    name: 'native',
    routes: nativeRoutes(deps),
    mount: 'root',
    errors: [{ prefix: '/api', renderer: renderNativeError }],
    rateLimitHeaders: [{ prefix: '/api', render: nativeRateLimitHeaders }],
  };
}
