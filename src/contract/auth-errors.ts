import { GatewayError } from './gateway-error.js';

export const missingApiKey = () =>
  new GatewayError({
    status: 401,
    kind: 'authentication',
    code: 'missing_api_key',
    message: "You didn't provide an API key. Send it as 'Authorization: Bearer <key>' or 'x-api-key: <key>'.",
  });

export const invalidApiKey = () =>
  new GatewayError({
    status: 401,
    kind: 'authentication',
    code: 'invalid_api_key',
    message: 'Incorrect API key provided.',
  });

/** A known key past its expiry: told apart from a wrong key, so its owner knows to renew it. */
export const expiredApiKey = (expiredAt: number) =>
  new GatewayError({
    status: 401,
    kind: 'authentication',
    code: 'key_expired',
    message: `This API key expired at ${new Date(expiredAt).toISOString()}; ask the gateway's owner to renew it.`,
  });

export const adminRequired = () =>
  new GatewayError({
    status: 403,
    kind: 'permission',
    code: 'admin_required',
    message: 'This endpoint needs an admin key (GATEWAY_ADMIN_KEY or a key created with --admin).',
  });

/** The key store (SQLite file or shared PostgreSQL) did not answer: nothing can be checked, so nothing runs. */
export const storeUnavailable = () =>
  new GatewayError({
    status: 503,
    kind: 'unavailable',
    code: 'store_unavailable',
    message: "The gateway's key store is unreachable right now; retry shortly.",
    retryAfterSeconds: 2,
  });

export const wsTicketInvalid = () =>
  new GatewayError({
    kind: 'authentication',
    status: 401,
    code: 'invalid_api_key',
    message: 'The WebSocket ticket is unknown, used or expired; get a new one from POST /api/v1/ws-tickets.',
  });
