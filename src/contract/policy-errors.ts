import type { RequestsPerMinuteStanding } from './admission.js';
import { truncateForEcho } from './field-limits.js';
import { GatewayError } from './gateway-error.js';

export const modelNotAllowed = (model: string) =>
  new GatewayError({
    status: 403,
    kind: 'permission',
    param: 'model',
    code: 'model_not_allowed',
    message: `This API key may not use the model '${truncateForEcho(model)}'.`,
  });

export const agentModeNotAllowed = (param = 'claude_code') =>
  new GatewayError({
    status: 403,
    kind: 'permission',
    param,
    code: 'agent_mode_not_allowed',
    message: `This API key may not use agent mode (${param}).`,
  });

export const agentToolNotAllowed = (tool: string, allowed: readonly string[], param = 'claude_code.tools') =>
  new GatewayError({
    status: 403,
    kind: 'permission',
    param,
    code: 'tool_not_allowed',
    message: `This API key may not use the tool '${tool}'; allowed: ${allowed.join(', ')}.`,
  });

export const agentToolsRequired = (allowed: readonly string[], param = 'claude_code.tools') =>
  new GatewayError({
    status: 400,
    kind: 'invalid_request',
    param,
    code: 'tools_required',
    message: `This API key may use only some agent tools (${allowed.join(', ')}); list the ones you need in ${param}.`,
  });

/**
 * A key's requests per minute are spent. It carries the key's standing, so the refusal gets the same
 * rate-limit headers as the runs that were admitted.
 */
export class RequestsPerMinuteExceeded extends GatewayError {
  readonly standing: RequestsPerMinuteStanding;

  constructor(standing: RequestsPerMinuteStanding, now: number) {
    const retryAfterSeconds = Math.max(0, (standing.resetAt - now) / 1000);
    super({
      status: 429,
      kind: 'rate_limited',
      code: 'rate_limit_exceeded',
      message: `Rate limit reached for requests per minute (RPM): limit ${standing.limit}. Please try again in ${Math.ceil(retryAfterSeconds)}s.`,
      retryAfterSeconds,
    });
    this.name = 'RequestsPerMinuteExceeded';
    this.standing = standing;
  }
}

export const concurrencyExceeded = (limit: number) =>
  new GatewayError({
    status: 429,
    kind: 'rate_limited',
    code: 'concurrency_limit_exceeded',
    message: `This API key already has ${limit} request(s) running, its limit; retry when one finishes.`,
    retryAfterSeconds: 1,
  });

/**
 * @param budget the budget as the key's owner set it, e.g. `$0.0001` or `$5.00 a day`.
 * @param renewsAt when a periodic budget starts afresh (Unix ms); absent: only its owner can help.
 */
export const budgetExhausted = (budget: string, renewsAt?: number) =>
  new GatewayError({
    status: 429,
    kind: 'quota_exceeded',
    code: 'insufficient_quota',
    message:
      renewsAt === undefined
        ? `This API key has used its budget of ${budget}.`
        : `This API key has used its budget of ${budget}; it starts afresh at ${new Date(renewsAt).toISOString()}.`,
    // openai-node reads this first: retrying soon cannot help (the budget renews, or its owner raises it).
    shouldRetry: false,
  });
