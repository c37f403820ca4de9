import { GatewayError } from '../contract/gateway-error.js';
import { CREDENTIALS_HELP } from '../engine/processes/credentials.js';
import { resultFailureCause } from '../engine/result-failure.js';
import {
  isThirdPartyRejection,
  THIRD_PARTY_REJECTED_CODE,
  THIRD_PARTY_REJECTED_MESSAGE,
} from './third-party-rejection.js';

export interface FailedResult {
  subtype: string;
  apiErrorStatus: number | null;
  /** `result` text for API errors, or the `errors` list for execution errors. */
  detail: string;
}

const UPSTREAM_RETRY_AFTER_SECONDS = 5;

/**
 * Turns a Claude Code result with `is_error: true` into what the OpenAI client should see. Upstream
 * auth failures are the gateway operator's problem, not the caller's, so they become 502 rather than
 * a 401 that would make the client think its own key is wrong.
 */
export function mapRunError(failure: FailedResult): GatewayError {
  const detail = failure.detail.trim() || 'no detail reported';
  const status = failure.apiErrorStatus;
  if (failure.subtype === 'error_max_budget_usd') {
    return new GatewayError({
      status: 429,
      kind: 'quota_exceeded',
      code: 'insufficient_quota',
      message: 'The run reached its USD budget before finishing.',
      shouldRetry: false,
    });
  }
  if (failure.subtype === 'error_max_structured_output_retries') {
    return new GatewayError({
      status: 502,
      kind: 'upstream',
      code: 'structured_output_failed',
      message: `Claude did not produce output matching the requested JSON schema: ${detail}`,
    });
  }
  const cause = resultFailureCause(detail, status);
  if (cause === 'not_logged_in') {
    return new GatewayError({
      status: 503,
      kind: 'unavailable',
      code: 'claude_credentials_missing',
      message: `Claude Code has no credentials on this gateway (it says: ${withoutApiErrorPrefix(detail)}). The operator must configure them. ${CREDENTIALS_HELP}`,
    });
  }
  if (cause === 'connection') {
    // No route to the API is an upstream outage for the caller, like a 5xx: retry later.
    return new GatewayError({
      status: 503,
      kind: 'unavailable',
      code: 'upstream_unavailable',
      message: `Claude Code cannot reach the Claude API: ${withoutApiErrorPrefix(detail)}.`,
      retryAfterSeconds: UPSTREAM_RETRY_AFTER_SECONDS,
    });
  }
  if (status === 429) {
    return new GatewayError({
      status: 429,
      kind: 'rate_limited',
      code: 'upstream_rate_limited',
      message: `Claude API rate limit reached: ${detail}`,
      retryAfterSeconds: UPSTREAM_RETRY_AFTER_SECONDS,
    });
  }
  if (status === 401 || status === 403) {
    return new GatewayError({
      status: 502,
      kind: 'upstream',
      code: 'upstream_auth_failed',
      message: `The gateway's Claude credentials were rejected (HTTP ${status}); ask the operator to check them. ${CREDENTIALS_HELP}`,
    });
  }
  if (isThirdPartyRejection(status, detail)) {
    return new GatewayError({
      status: 403,
      kind: 'permission',
      code: THIRD_PARTY_REJECTED_CODE,
      message: `${THIRD_PARTY_REJECTED_MESSAGE} Anthropic said: ${detail}`,
      shouldRetry: false,
    });
  }
  if (status === 400 || status === 413) {
    return new GatewayError({
      status,
      kind: 'invalid_request',
      code: 'upstream_rejected_request',
      message: `The Claude API rejected the request: ${detail}`,
    });
  }
  if (status !== null && (status === 529 || status >= 500)) {
    return new GatewayError({
      status: 503,
      kind: 'unavailable',
      code: 'upstream_unavailable',
      message: `The Claude API is unavailable or overloaded (HTTP ${status}).`,
      retryAfterSeconds: UPSTREAM_RETRY_AFTER_SECONDS,
    });
  }
  return new GatewayError({
    status: 502,
    kind: 'upstream',
    code: status === null ? 'claude_code_error' : 'upstream_error',
    message: `Claude Code failed${describeFailure(failure.subtype, status)}: ${detail}`,
  });
}

/** `success` is the subtype Claude Code gives most API errors: an internal detail, not worth showing. */
function describeFailure(subtype: string, status: number | null): string {
  const parts = [subtype === 'success' ? '' : subtype, status === null ? '' : `HTTP ${status}`].filter(
    Boolean,
  );
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

function withoutApiErrorPrefix(detail: string): string {
  return detail.replace(/^API Error:\s*/i, '').replace(/[.\s]+$/, '');
}
