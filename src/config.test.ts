import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

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

  it('parses numbers, booleans and lists from strings', () => {
    const config = loadConfig({ PORT: '9000', REMOTE_IMAGES: 'true', MODELS: 'sonnet, opus ,' }, '/');
    expect(config).toMatchObject({ PORT: 9000, REMOTE_IMAGES: true, MODELS: ['sonnet', 'opus'] });
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
    expect(() => loadConfig({ INSTANCE_ID: '../escape' }, '/')).toThrow(/INSTANCE_ID/);
  });
});
