import { describe, expect, it } from 'vitest';
import { buildChildEnv } from './child-env.js';
import { isAccountVariable, passesToClaudeCode, withAccountEnv } from './claude-variables.js';

describe('the variables of a Claude Code process', () => {
  it('lets an account set only what Claude Code reads and the gateway does not set itself', () => {
    for (const name of [
      'ANTHROPIC_API_KEY',
      'CLAUDE_CONFIG_DIR',
      'AWS_REGION',
      'HTTPS_PROXY',
      'CLOUD_ML_REGION',
    ])
      expect(isAccountVariable(name), name).toBe(true);
    for (const name of [
      'PATH',
      'HOME',
      'CLAUDE_PATH',
      'CLAUDE_CODE_TMPDIR',
      'CLAUDE_AGENT_SDK_CLIENT_APP',
      'DATABASE_URL',
    ])
      expect(isAccountVariable(name), name).toBe(false);
  });

  it('passes to every process exactly what an account may set, the basics, and what the gateway sets', () => {
    // One list: a variable an account may set is one the gateway's own environment could pass too.
    for (const name of ['ANTHROPIC_BASE_URL', 'AWS_PROFILE', 'NO_PROXY', 'LC_ALL', 'PATH'])
      expect(passesToClaudeCode(name), name).toBe(true);
    for (const name of ['CLAUDE_PATH', 'GATEWAY_API_KEYS', 'REDIS_URL'])
      expect(passesToClaudeCode(name), name).toBe(false);
    const env = buildChildEnv(
      { ANTHROPIC_API_KEY: 'k', CLAUDE_MAX_RETRIES: '9', PORT: '1' },
      { configDir: '/c', maxRetries: 1, apiTimeoutMs: 1, clientApp: 'x' },
    );
    expect(Object.keys(env).every(passesToClaudeCode)).toBe(true);
  });
});

describe('withAccountEnv', () => {
  it("drops every credential of the gateway's process environment before adding the account's", () => {
    const base = {
      PATH: '/usr/bin',
      ANTHROPIC_API_KEY: 'gateway-key',
      CLAUDE_CODE_OAUTH_TOKEN: 'gateway-token',
      AWS_SECRET_ACCESS_KEY: 'gateway-aws',
      CLAUDE_CODE_USE_BEDROCK: '1',
      ANTHROPIC_BASE_URL: 'https://proxy.internal',
      CLAUDE_CONFIG_DIR: '/data/claude',
    };
    expect(withAccountEnv(base, { CLAUDE_CODE_OAUTH_TOKEN: 'team-a' })).toEqual({
      PATH: '/usr/bin',
      ANTHROPIC_BASE_URL: 'https://proxy.internal',
      CLAUDE_CONFIG_DIR: '/data/claude',
      CLAUDE_CODE_OAUTH_TOKEN: 'team-a',
    });
  });
});
