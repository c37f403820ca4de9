import type { ErrorKind, ErrorRenderer, GatewayError } from '../../contract/gateway-error.js';
import type { AnthropicErrorBody } from './wire.js';

/**
 * Anthropic's error types by neutral kind. The SDKs pick their exception class from the status and
 * Claude Code decides whether to retry from it, so status and type must agree as Anthropic's do.
 */
const ERROR_TYPES: Record<ErrorKind, string> = {
  invalid_request: 'invalid_request_error',
  authentication: 'authentication_error',
  permission: 'permission_error',
  not_found: 'not_found_error',
  conflict: 'invalid_request_error',
  too_large: 'request_too_large',
  rate_limited: 'rate_limit_error',
  quota_exceeded: 'rate_limit_error',
  timeout: 'api_error',
  unavailable: 'overloaded_error',
  upstream: 'api_error',
  internal: 'api_error',
};

/** Anthropic's "overloaded" is 529; its clients (Claude Code included) retry it with backoff. */
const OVERLOADED_STATUS = 529;

export function anthropicStatus(error: GatewayError): number {
  return error.kind === 'unavailable' ? OVERLOADED_STATUS : error.status;
}

export function anthropicErrorBody(error: GatewayError): AnthropicErrorBody {
  return { type: 'error', error: { type: errorTypeOf(error), message: messageOf(error) } };
}

function errorTypeOf(error: GatewayError): string {
  // An unknown model is an invalid request with status 404 in OpenAI's terms, `not_found_error` here.
  if (error.status === 404) return 'not_found_error';
  if (error.status === 413) return 'request_too_large';
  return ERROR_TYPES[error.kind];
}

/** Anthropic bodies have no `param`; the field at fault leads the message, as Anthropic's own do. */
function messageOf(error: GatewayError): string {
  return error.param && !error.message.includes(error.param)
    ? `${error.param}: ${error.message}`
    : error.message;
}

export const renderAnthropicError: ErrorRenderer = (error, context) => ({
  status: anthropicStatus(error),
  body: anthropicErrorBody(error),
  headers: { ...error.headers(), 'request-id': context.requestId },
});
