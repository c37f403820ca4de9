import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import type { AccountSignal } from '../../contract/accounts.js';
import { resultFailureCause } from '../../engine/result-failure.js';

/**
 * What a run's SDK messages say about the account it runs under (docs/accounts.md, "What Claude Code
 * reports"), read while the run streams. The first rate-limit retry is the moment to move on: Claude
 * Code would otherwise sit out `retry-after`, which for a spent account can be hours.
 */

export interface AccountObservation {
  signal: AccountSignal;
  /**
   * The run cannot succeed on this account now: stop it and run it on another, if nothing reached
   * the client yet. Not for a single overloaded retry, which Claude Code rides out itself.
   */
  moveOn: boolean;
}

export interface AccountSignalReader {
  read(message: SDKMessage): AccountObservation | undefined;
}

/** `error` values of api_retry and assistant messages that mean the credentials were refused. */
const REFUSED = new Set([
  'authentication_failed',
  'oauth_org_not_allowed',
  'account_on_hold',
  'verification_required',
  'cloud_credential_error',
]);
const UNAVAILABLE = new Set(['overloaded', 'server_error']);

/** One reader per run: a run's error is reported twice (assistant, then result) and counts once. */
export function accountSignalReader(): AccountSignalReader {
  let errorSeen = false;
  return {
    read(message) {
      switch (message.type) {
        case 'system':
          return message.subtype === 'api_retry'
            ? fromRetry(message.error, message.error_status, message.retry_delay_ms)
            : undefined;
        case 'rate_limit_event':
          return fromRateLimitEvent(message.rate_limit_info);
        case 'assistant': {
          if (message.error === undefined) return undefined;
          errorSeen = true;
          return fromFailure(message.error);
        }
        case 'result':
          if (!message.is_error) return { signal: { kind: 'succeeded' }, moveOn: false };
          return errorSeen ? undefined : fromFailedResult(message);
        default:
          return undefined;
      }
    },
  };
}

function fromRetry(error: string, status: number | null, delayMs: number): AccountObservation | undefined {
  if (error === 'rate_limit')
    return { signal: { kind: 'rate-limited', retryAfterMs: delayMs }, moveOn: true };
  if (REFUSED.has(error)) return { signal: { kind: 'unauthorized', code: error }, moveOn: true };
  if (error === 'billing_error') return { signal: { kind: 'billing', code: error }, moveOn: true };
  // No status: the connection failed (a timeout, a refused connection to the account's endpoint).
  if (UNAVAILABLE.has(error) || status === null || status >= 500) {
    return { signal: { kind: 'unavailable', code: status === null ? 'connection' : error }, moveOn: false };
  }
  return undefined;
}

interface RateLimitInfo {
  status: string;
  resetsAt?: number;
  utilization?: number;
  isUsingOverage?: boolean;
}

function fromRateLimitEvent(info: RateLimitInfo): AccountObservation {
  const utilization = utilizationOf(info);
  const resetsAt = info.resetsAt !== undefined ? info.resetsAt * 1_000 : undefined;
  // Rejected but served from extra usage (overage): the run goes on, billed beyond the plan.
  if (info.status === 'rejected' && info.isUsingOverage !== true) {
    return {
      signal: {
        kind: 'rate-limited',
        ...(resetsAt !== undefined ? { resetsAt } : {}),
        ...(utilization !== undefined ? { utilization } : {}),
      },
      moveOn: true,
    };
  }
  return {
    signal: {
      kind: 'usage',
      ...(utilization !== undefined ? { utilization } : {}),
      ...(resetsAt !== undefined ? { resetsAt } : {}),
    },
    moveOn: false,
  };
}

/**
 * The top-level utilization when Claude Code gives one (only with `allowed_warning`), else the
 * fullest of the windows it reports (`unifiedWindows`, not in the SDK's published type).
 */
function utilizationOf(info: RateLimitInfo): number | undefined {
  if (typeof info.utilization === 'number') return info.utilization;
  const windows: unknown = (info as { unifiedWindows?: unknown }).unifiedWindows;
  if (typeof windows !== 'object' || windows === null) return undefined;
  let fullest: number | undefined;
  for (const window of Object.values(windows)) {
    const value: unknown = (window as { utilization?: unknown } | null)?.utilization;
    if (typeof value === 'number' && (fullest === undefined || value > fullest)) fullest = value;
  }
  return fullest;
}

/** An API error the run ended with (the assistant message Claude Code makes up for it). */
function fromFailure(error: string): AccountObservation | undefined {
  if (error === 'rate_limit') return { signal: { kind: 'rate-limited' }, moveOn: true };
  if (REFUSED.has(error)) return { signal: { kind: 'unauthorized', code: error }, moveOn: true };
  if (error === 'billing_error') return { signal: { kind: 'billing', code: error }, moveOn: true };
  if (UNAVAILABLE.has(error)) return { signal: { kind: 'unavailable', code: error }, moveOn: true };
  return undefined;
}

/** A failed result with no assistant error before it: read its HTTP status, or its text without one. */
function fromFailedResult(result: Extract<SDKMessage, { type: 'result' }>): AccountObservation | undefined {
  const status = (result as { api_error_status?: number | null }).api_error_status ?? null;
  if (status === 429) return fromFailure('rate_limit');
  if (status === 401 || status === 403) return fromFailure('authentication_failed');
  if (status !== null && status >= 500) return fromFailure(status === 529 ? 'overloaded' : 'server_error');
  if (status !== null) return undefined;
  const detail = result.subtype === 'success' ? result.result : result.errors.join('; ');
  switch (resultFailureCause(detail, null)) {
    case 'not_logged_in':
      return { signal: { kind: 'unauthorized', code: 'not_logged_in' }, moveOn: true };
    case 'connection':
      return { signal: { kind: 'unavailable', code: 'connection' }, moveOn: true };
    case 'other':
      return undefined;
  }
}
