import { GatewayError } from './gateway-error.js';

/**
 * Refusals of a run by the pool of Claude accounts (ACCOUNTS_FILE), the same on every surface; each
 * renders them in its own shape. They never name an account: a key's holder need not know them.
 */

/**
 * Every account the key may use is spent (or refused). `retryAfterSeconds`: when the first one comes
 * back by itself; undefined when none will (their credentials were refused: the operator must act).
 */
export const accountsExhausted = (retryAfterSeconds: number | undefined) =>
  new GatewayError({
    status: 429,
    kind: 'rate_limited',
    code: 'accounts_exhausted',
    message:
      retryAfterSeconds === undefined
        ? 'No Claude account this key may use can answer now (their credentials were refused); the gateway operator must fix them.'
        : `Every Claude account this key may use has reached its usage limit; the first is usable again in ${Math.ceil(retryAfterSeconds)} s.`,
    ...(retryAfterSeconds === undefined ? { shouldRetry: false } : { retryAfterSeconds }),
  });

/** The key's list of accounts names none of this gateway's. */
export const noAccountAllowed = () =>
  new GatewayError({
    status: 403,
    kind: 'permission',
    code: 'account_not_allowed',
    message: "This API key may use none of this gateway's Claude accounts.",
  });

/** Every usable account the key may use runs its maxConcurrency, and none became free in time. */
export const accountSlotTimeout = (waitedMs: number) =>
  new GatewayError({
    status: 503,
    kind: 'unavailable',
    code: 'accounts_busy',
    message: `Every Claude account this key may use is running its most runs at once; none became free within ${waitedMs} ms.`,
    retryAfterSeconds: 2,
  });

/**
 * The run's account was found spent or refused after part of the answer had reached the client: the
 * run cannot move without the client seeing it start over, so it ends here (the next run goes to
 * another account).
 */
export const accountLostMidAnswer = () =>
  new GatewayError({
    status: 429,
    kind: 'rate_limited',
    code: 'account_rate_limited',
    message:
      'The Claude account serving this answer reached its usage limit (or was refused) partway through; retry, and the request goes to another account.',
    retryAfterSeconds: 1,
  });
