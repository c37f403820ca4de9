import { GatewayError } from '../../contract/gateway-error.js';

/** A 400 naming the request field at fault in Anthropic's own terms (`messages[2].content[0]`). */
export function invalidRequest(
  message: string,
  param: string | null = null,
  code = 'invalid_request',
): GatewayError {
  return new GatewayError({ kind: 'invalid_request', status: 400, message, param, code });
}

export function modelNotFound(model: string): GatewayError {
  return new GatewayError({
    kind: 'not_found',
    status: 404,
    message: `model: ${model} is not served by this gateway.`,
    param: 'model',
    code: 'model_not_found',
  });
}
