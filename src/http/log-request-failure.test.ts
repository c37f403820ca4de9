import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { internalError } from '../contract/errors.js';
import { GatewayError } from '../contract/gateway-error.js';
import { createLogger } from '../logger.js';
import { logRequestFailure } from './log-request-failure.js';

function capture() {
  const entries: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      entries.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { entries, logger: createLogger('info', { format: 'json', destination }) };
}

const overloaded = new GatewayError({
  status: 503,
  kind: 'unavailable',
  code: 'upstream_overloaded',
  message: 'Claude is overloaded.',
});

describe('logRequestFailure', () => {
  it("logs the gateway's own bug as an error with its stack", () => {
    const { entries, logger } = capture();
    logRequestFailure(logger, new TypeError('undefined is not a function'), internalError());
    expect(entries).toEqual([expect.objectContaining({ level: 50, msg: 'request failed' })]);
    expect(JSON.stringify(entries[0]?.err)).toContain('    at ');
  });

  it('logs a 5xx from outside the gateway as a warning with its reason and no stack', () => {
    const { entries, logger } = capture();
    logRequestFailure(logger, overloaded, overloaded);
    expect(entries).toEqual([
      expect.objectContaining({
        level: 40,
        status: 503,
        code: 'upstream_overloaded',
        reason: 'Claude is overloaded.',
      }),
    ]);
    expect(JSON.stringify(entries)).not.toContain('    at ');
  });

  it('leaves client errors to the request line', () => {
    const { entries, logger } = capture();
    logRequestFailure(
      logger,
      undefined,
      new GatewayError({ status: 400, kind: 'invalid_request', message: 'no' }),
    );
    expect(entries).toEqual([]);
  });
});
