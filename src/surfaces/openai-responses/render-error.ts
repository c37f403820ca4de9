/** The Responses surface shows errors in OpenAI's body shape, with OpenAI's `type` names. */
import type { ErrorKind, ErrorRenderer } from '../../core/gateway-error.js';

const TYPES: Record<ErrorKind, string> = {
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

export const renderResponsesError: ErrorRenderer = (error) => ({
  status: error.status,
  body: {
    error: { message: error.message, type: TYPES[error.kind], param: error.param, code: error.code },
  },
  headers: error.headers(),
});
