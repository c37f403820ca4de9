import { GatewayError } from '../../contract/gateway-error.js';

/** The native wire's own 400 (a body or frame it cannot read); the sessions' refusals are the service's. */
export const invalidRequest = (message: string, param?: string) =>
  new GatewayError({
    kind: 'invalid_request',
    status: 400,
    code: 'invalid_request',
    message,
    param: param ?? null,
  });
