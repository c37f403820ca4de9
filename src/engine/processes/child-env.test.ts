import { describe, expect, it } from 'vitest';
import { buildChildEnv } from './child-env.js';

const settings = {
  configDir: '/data/claude',
  maxRetries: 2,
  apiTimeoutMs: 60_000,
  clientApp: 'claude-gateway/test',
};

describe('buildChildEnv', () => {
  it("passes Claude Code's own variables and the basics, and nothing of the gateway's", () => {
    const env = buildChildEnv(
      {
        PATH: '/usr/bin',
        HOME: '/home/app',
        ANTHROPIC_API_KEY: 'sk-ant-secret',
        CLAUDE_CODE_OAUTH_TOKEN: 'oauth',
        GATEWAY_API_KEYS: 'gw-secret',
        GATEWAY_ADMIN_KEY: 'admin-secret',
        DATABASE_URL: 'postgres://x',
        REDIS_URL: 'redis://x',
        CLAUDE_PATH: '/opt/claude',
        PORT: '8080',
      },
      settings,
    );
    expect(env).toMatchObject({
      PATH: '/usr/bin',
      HOME: '/home/app',
      ANTHROPIC_API_KEY: 'sk-ant-secret',
      CLAUDE_CODE_OAUTH_TOKEN: 'oauth',
    });
    expect(env).not.toHaveProperty('GATEWAY_API_KEYS');
    expect(env).not.toHaveProperty('GATEWAY_ADMIN_KEY');
    expect(env).not.toHaveProperty('DATABASE_URL');
    expect(env).not.toHaveProperty('REDIS_URL');
    expect(env).not.toHaveProperty('CLAUDE_PATH');
    expect(env).not.toHaveProperty('PORT');
  });

  it('bounds retries and timeouts and keeps the config dir unless the operator set them', () => {
    expect(buildChildEnv({}, settings)).toMatchObject({
      CLAUDE_CONFIG_DIR: '/data/claude',
      CLAUDE_CODE_MAX_RETRIES: '2',
      API_TIMEOUT_MS: '60000',
      CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    });
    expect(
      buildChildEnv(
        { CLAUDE_CONFIG_DIR: '/mine', CLAUDE_CODE_MAX_RETRIES: '5', API_TIMEOUT_MS: '1000' },
        settings,
      ),
    ).toMatchObject({ CLAUDE_CONFIG_DIR: '/mine', CLAUDE_CODE_MAX_RETRIES: '5', API_TIMEOUT_MS: '1000' });
  });
});

describe('buildChildEnv through the relay', () => {
  it('routes the upstream the environment names, once the rest of the environment is set', () => {
    const env = buildChildEnv(
      { ANTHROPIC_BASE_URL: 'https://llm.example.com', ANTHROPIC_API_KEY: 'k' },
      { ...settings, relayBaseUrlFor: ({ upstream }) => `http://127.0.0.1:1/${upstream.length}` },
    );
    expect(env.ANTHROPIC_BASE_URL).toBe(`http://127.0.0.1:1/${'https://llm.example.com'.length}`);
    expect(env.ANTHROPIC_API_KEY).toBe('k');
  });
});
