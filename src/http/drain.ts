import type { MiddlewareHandler } from 'hono';
import { GatewayError } from '../contract/gateway-error.js';
import { isPublicPath } from './require-api-key.js';

/** Set once on SIGTERM: /ready turns 503 and new API requests are turned away while running ones finish. */
export class DrainSwitch {
  #draining = false;

  get draining(): boolean {
    return this.#draining;
  }

  begin(): void {
    this.#draining = true;
  }

  middleware(): MiddlewareHandler {
    return async (c, next) => {
      if (!this.#draining || isPublicPath(c.req.path)) return next();
      c.header('connection', 'close');
      throw new GatewayError({
        status: 503,
        kind: 'unavailable',
        code: 'shutting_down',
        message: 'The gateway is shutting down; retry against another instance.',
        retryAfterSeconds: 1,
      });
    };
  }
}
