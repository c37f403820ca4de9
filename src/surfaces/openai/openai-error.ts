import type { ErrorKind, ErrorRenderer, GatewayError } from '../../contract/gateway-error.js';

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** OpenAI's `error.type` for each neutral kind; clients (openai-node, LangChain) branch on status, not type. */
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

export function openAIErrorBody(error: GatewayError): OpenAIErrorBody {
  return {
    error: { message: error.message, type: OPENAI_TYPE[error.kind], param: error.param, code: error.code },
  };
}

/** The OpenAI error body `{error:{message,type,param,code}}`; the gateway's default rendering. */
export const renderOpenAIError: ErrorRenderer = (error) => ({
  status: error.status,
  body: openAIErrorBody(error),
  headers: error.headers(),
});
