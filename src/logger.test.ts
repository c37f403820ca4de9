import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { chooseLogFormat, createLogger, type LogFormat } from './logger.js';

function capture(format: LogFormat): {
  lines: () => string;
  write: (msg: string) => void;
  logger: ReturnType<typeof createLogger>;
} {
  let text = '';
  const destination = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  const logger = createLogger('info', { format, destination });
  return {
    logger,
    lines: () => text,
    write: (msg) => logger.info({ port: 8080, headers: { authorization: 'Bearer sk-secret' } }, msg),
  };
}

describe('logger', () => {
  it('is pretty for a terminal and JSON otherwise, unless LOG_FORMAT says', () => {
    expect(chooseLogFormat(undefined, true)).toBe('pretty');
    expect(chooseLogFormat(undefined, false)).toBe('json');
    expect(chooseLogFormat('json', true)).toBe('json');
    expect(chooseLogFormat('pretty', false)).toBe('pretty');
  });

  it('writes human-readable lines in pretty format, still redacted', async () => {
    const log = capture('pretty');
    log.write('claude-gateway listening');
    await new Promise((resolve) => setImmediate(resolve));
    expect(log.lines()).toMatch(/INFO.*claude-gateway listening/);
    expect(log.lines()).toContain('"port":8080');
    expect(log.lines()).not.toContain('sk-secret');
    expect(() => JSON.parse(log.lines())).toThrow();
  });

  it("takes one pretty line per request, and keeps a bug's stack", async () => {
    const log = capture('pretty');
    log.logger
      .child({ requestId: 'req-1' })
      .info({ method: 'GET', path: '/v1/models', status: 200, durationMs: 12 }, 'request');
    await new Promise((resolve) => setImmediate(resolve));
    const lines = log.lines().trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/INFO.*GET \/v1\/models 200 12 ms.*req-1/);

    log.logger.error({ err: new Error('a bug') }, 'request failed');
    await new Promise((resolve) => setImmediate(resolve));
    expect(log.lines()).toMatch(/ERROR.*request failed/);
    expect(log.lines()).toContain('    at ');
  });

  it('writes one JSON object per line in json format', async () => {
    const log = capture('json');
    log.write('claude-gateway listening');
    await new Promise((resolve) => setImmediate(resolve));
    const entry = JSON.parse(log.lines().trim());
    expect(entry).toMatchObject({ msg: 'claude-gateway listening', port: 8080, level: 30 });
    expect(entry.headers.authorization).toBe('[redacted]');
  });
});
