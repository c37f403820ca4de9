import { describe, expect, it } from 'vitest';
import { type ErrorKind, GatewayError } from '../../contract/gateway-error.js';
import { renderAnthropicError } from './render-error.js';

function render(kind: ErrorKind, status: number, extra: { param?: string; retryAfterSeconds?: number } = {}) {
  return renderAnthropicError(new GatewayError({ kind, status, message: 'went wrong', ...extra }), {
    requestId: 'req_1',
  });
}

describe('Anthropic error rendering', () => {
  it.each([
    ['invalid_request', 400, 400, 'invalid_request_error'],
    ['invalid_request', 404, 404, 'not_found_error'],
    ['authentication', 401, 401, 'authentication_error'],
    ['permission', 403, 403, 'permission_error'],
    ['not_found', 404, 404, 'not_found_error'],
    ['too_large', 413, 413, 'request_too_large'],
    ['rate_limited', 429, 429, 'rate_limit_error'],
    ['quota_exceeded', 429, 429, 'rate_limit_error'],
    ['internal', 500, 500, 'api_error'],
    ['upstream', 502, 502, 'api_error'],
    ['unavailable', 503, 529, 'overloaded_error'],
  ] as const)('%s (%i) is %i %s', (kind, status, wireStatus, type) => {
    const rendered = render(kind, status);
    expect(rendered.status).toBe(wireStatus);
    expect(rendered.body).toEqual({ type: 'error', error: { type, message: 'went wrong' } });
    expect(rendered.headers['request-id']).toBe('req_1');
  });

  it('names the field at fault in the message and keeps retry headers', () => {
    const rendered = render('rate_limited', 429, { param: 'max_tokens', retryAfterSeconds: 2 });
    expect(rendered.body).toEqual({
      type: 'error',
      error: { type: 'rate_limit_error', message: 'max_tokens: went wrong' },
    });
    expect(rendered.headers['retry-after']).toBe('2');
  });
});
