import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../contract/gateway-error.js';
import { nativeErrorBody, renderNativeError } from './render-error.js';

describe('native error rendering', () => {
  it('renders code, message, details, timestamp and request id', () => {
    const error = new GatewayError({
      status: 400,
      kind: 'invalid_request',
      code: 'agent_cwd_not_allowed',
      param: 'cwd',
      message: 'cwd is outside.',
    });
    expect(nativeErrorBody(error, 'req-1', new Date(0))).toEqual({
      error: {
        code: 'agent_cwd_not_allowed',
        message: 'cwd is outside.',
        details: { kind: 'invalid_request', param: 'cwd' },
      },
      timestamp: '1970-01-01T00:00:00.000Z',
      requestId: 'req-1',
    });
  });

  it('falls back to the kind for a code-less error and keeps retry headers', () => {
    const error = new GatewayError({
      status: 429,
      kind: 'rate_limited',
      message: 'slow down',
      retryAfterSeconds: 2,
    });
    const rendered = renderNativeError(error, { requestId: 'r' });
    expect(rendered.status).toBe(429);
    expect((rendered.body as { error: { code: string } }).error.code).toBe('rate_limited');
    expect(rendered.headers['retry-after']).toBe('2');
  });
});
