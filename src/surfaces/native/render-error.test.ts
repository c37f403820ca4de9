import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../contract/gateway-error.js';
import { sessionBusy, sessionNotFound } from '../../services/native/errors.js';
import { nativeErrorBody, renderNativeError } from './render-error.js';

const at = new Date('2026-01-02T03:04:05.000Z');

describe('native error rendering', () => {
  it('answers in the shape the native clients parse', () => {
    expect(nativeErrorBody(sessionNotFound('abc'), 'req-1', at)).toEqual({
      error: {
        code: 'SESSION_NOT_FOUND',
        message: 'Session abc was not found (it may have expired or been deleted).',
        details: { reason: 'session_not_found' },
      },
      timestamp: '2026-01-02T03:04:05.000Z',
      requestId: 'req-1',
    });
  });

  it.each([
    [sessionBusy('s'), 409, 'SESSION_BUSY'],
    [
      new GatewayError({ kind: 'authentication', status: 401, code: 'missing_api_key', message: 'm' }),
      401,
      'MISSING_API_KEY',
    ],
    [
      new GatewayError({ kind: 'authentication', status: 401, code: 'invalid_api_key', message: 'm' }),
      401,
      'INVALID_API_KEY',
    ],
    [
      new GatewayError({ kind: 'rate_limited', status: 429, code: 'rate_limit_exceeded', message: 'm' }),
      429,
      'RATE_LIMIT_EXCEEDED',
    ],
    [
      new GatewayError({ kind: 'invalid_request', status: 400, param: 'prompt', message: 'm' }),
      400,
      'INVALID_REQUEST',
    ],
    [new GatewayError({ kind: 'timeout', status: 504, code: 'timeout', message: 'm' }), 504, 'TIMEOUT'],
    [
      new GatewayError({ kind: 'upstream', status: 502, code: 'upstream_error', message: 'm' }),
      502,
      'UPSTREAM_ERROR',
    ],
    [
      new GatewayError({ kind: 'unavailable', status: 503, code: 'upstream_overloaded', message: 'm' }),
      503,
      'SERVICE_UNAVAILABLE',
    ],
    [
      new GatewayError({ kind: 'quota_exceeded', status: 429, code: 'budget_exceeded', message: 'm' }),
      429,
      'QUOTA_EXCEEDED',
    ],
  ])('maps %# to its status and native code', (error, status, code) => {
    const rendered = renderNativeError(error, { requestId: 'r' });
    expect(rendered.status).toBe(status);
    expect(rendered.body).toMatchObject({ error: { code }, requestId: 'r' });
  });

  it('keeps the field at fault and retry hints in details and headers', () => {
    const error = new GatewayError({
      kind: 'rate_limited',
      status: 429,
      code: 'queue_full',
      message: 'busy',
      param: 'prompt',
      retryAfterSeconds: 2.5,
    });
    const rendered = renderNativeError(error, { requestId: 'r' });
    expect(rendered.body).toMatchObject({
      error: { details: { param: 'prompt', reason: 'queue_full', retryAfterSeconds: 3 } },
    });
    expect(rendered.headers['retry-after']).toBe('3');
  });
});
