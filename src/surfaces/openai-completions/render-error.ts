import type { ErrorKind, ErrorRenderer, GatewayError } from '../../core/gateway-error.js';
import type { OpenAIErrorBody } from './wire.js';

/** OpenAI's `error.type` per neutral kind, as the chat surface renders it (clients branch on status). */
const OPENAI_TYPE: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'invalid_request_error',
  conflict: 'invalid_request_error',
  too_large: 'invalid_request_error',
  rate_limited: 'rate_limit_error',
  quota_exceeded: 'insufficient_quota',
  timeout: 'timeout_error',
  unavailable: 'service_unavailable',
  upstream: 'api_error',
  internal: 'server_error',
};

/** The body of an error, also sent in-band (`data: {"error":…}`) once a stream has begun. */
export function openAIErrorBody(error: GatewayError): OpenAIErrorBody {
  return {
    error: { message: error.message, type: OPENAI_TYPE[error.kind], param: error.param, code: error.code },
  };
}

export const renderCompletionsError: ErrorRenderer = (error) => ({
  status: error.status,
  body: openAIErrorBody(error),
  headers: error.headers(),
});
