import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { ConfigError } from './contract/config-error.js';

describe('loadConfig', () => {
  it('has safe defaults: loopback, bounded concurrency and queue', () => {
    const config = loadConfig({}, '/srv/app');
    expect(config).toMatchObject({
      HOST: '127.0.0.1',
      PORT: 8080,
      MAX_CONCURRENCY: 4,
      dataDir: '/srv/app/.data',
    });
    expect(config.workspaceDir).toBe('/srv/app/.data/workspace');
    expect(config.MODELS).toContain('sonnet');
  });

  it('reads an empty or blank variable as unset, never as 0', () => {
    const blank = Object.fromEntries(
      ['PORT', 'MAX_QUEUE', 'MAX_CONCURRENCY', 'SHUTDOWN_GRACE_MS', 'WARM_SPARES', 'HOST', 'MODELS'].map(
        (name, i) => [name, i % 2 === 0 ? '' : '  '],
      ),
    );
    const config = loadConfig(blank, '/');
    const defaults = loadConfig({}, '/');
    expect(config).toEqual(defaults);
    expect(config).toMatchObject({ PORT: 8080, MAX_QUEUE: 32, SHUTDOWN_GRACE_MS: 25_000, HOST: '127.0.0.1' });
    expect(() => loadConfig({ LOG_LEVEL: '' }, '/')).not.toThrow();
  });

  it('parses numbers, booleans and lists from strings', () => {
    const config = loadConfig({ PORT: '9000', REMOTE_IMAGES: 'true', MODELS: 'sonnet, opus ,' }, '/');
    expect(config).toMatchObject({ PORT: 9000, REMOTE_IMAGES: true, MODELS: ['sonnet', 'opus'] });
  });

  it('refuses a header timeout longer than the request timeout, which Node would reject', () => {
    expect(() =>
      loadConfig({ SERVER_HEADERS_TIMEOUT_MS: '5000', SERVER_REQUEST_TIMEOUT_MS: '1000' }, '/'),
    ).toThrow(/SERVER_HEADERS_TIMEOUT_MS/);
    expect(
      loadConfig({ SERVER_HEADERS_TIMEOUT_MS: '5000', SERVER_REQUEST_TIMEOUT_MS: '0' }, '/'),
    ).toBeTruthy();
  });

  it('names every bad setting in one clear error', () => {
    expect(() => loadConfig({ PORT: 'eighty', MAX_CONCURRENCY: '0', LOG_LEVEL: 'loud' }, '/')).toThrow(
      ConfigError,
    );
    try {
      loadConfig({ PORT: 'eighty', MAX_CONCURRENCY: '0' }, '/');
    } catch (error) {
      expect((error as Error).message).toMatch(/PORT/);
      expect((error as Error).message).toMatch(/MAX_CONCURRENCY/);
    }
  });

  it('keeps one machine in DATA_DIR, and gives each gateway on a shared database its own scratch dir', () => {
    expect(loadConfig({}, '/srv/app').instanceDir).toBe('/srv/app/.data');
    const shared = loadConfig(
      { DATABASE_URL: 'postgres://gw@db:5432/gateway', INSTANCE_ID: 'gw-a', DATA_DIR: '/data' },
      '/',
    );
    expect(shared).toMatchObject({
      instanceId: 'gw-a',
      instanceDir: '/data/instances/gw-a',
      workspaceDir: '/data/workspace',
    });
    expect(() => loadConfig({ DATABASE_URL: 'mysql://x' }, '/')).toThrow(/DATABASE_URL/);
    expect(loadConfig({ REDIS_URL: 'redis://cache:6379/0' }, '/').REDIS_URL).toBe('redis://cache:6379/0');
    expect(() => loadConfig({ REDIS_URL: 'http://cache' }, '/')).toThrow(/REDIS_URL/);
    expect(() => loadConfig({ INSTANCE_ID: '../escape' }, '/')).toThrow(/INSTANCE_ID/);
  });
});
