import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../contract/config-error.js';
import { accountKind } from './account-env.js';
import { implicitAccountPool, loadAccounts, parseAccountsFile } from './accounts-file.js';

/** `${NAME}`, the way ACCOUNTS_FILE references the gateway's environment. */
const ref = (name: string) => `\${${name}}`;

const gatewayEnv = {
  MAIN_TOKEN: 'sk-ant-oat01-main-secret',
  BACKUP_KEY: 'sk-ant-api03-backup-secret',
  EMPTY: '',
};

function parse(document: unknown, env: Record<string, string | undefined> = gatewayEnv) {
  return parseAccountsFile(JSON.stringify(document), { source: 'accounts.json', format: 'json', env });
}

/** The one-line message a bad file gets, checked to name no secret. */
function problem(document: unknown, env: Record<string, string | undefined> = gatewayEnv): string {
  try {
    parseAccountsFile(typeof document === 'string' ? document : JSON.stringify(document), {
      source: 'accounts.json',
      format: 'json',
      env,
    });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).not.toContain('\n');
    for (const secret of Object.values(gatewayEnv).filter(Boolean)) expect(message).not.toContain(secret);
    return message;
  }
  throw new Error('expected a ConfigError');
}

const issueExample = {
  strategy: 'priority',
  accounts: [
    { name: 'main', env: { CLAUDE_CODE_OAUTH_TOKEN: ref('MAIN_TOKEN') }, priority: 1, maxConcurrency: 3 },
    { name: 'backup', env: { ANTHROPIC_API_KEY: ref('BACKUP_KEY') }, priority: 2 },
  ],
};

describe('parseAccountsFile', () => {
  it('reads the example of the issue, resolving references to the gateway environment', () => {
    const pool = parse(issueExample);
    expect(pool.strategy).toBe('priority');
    expect(pool.implicit).toBe(false);
    expect(pool.accounts).toEqual([
      {
        name: 'main',
        kind: 'subscription',
        env: { CLAUDE_CODE_OAUTH_TOKEN: 'sk-ant-oat01-main-secret' },
        priority: 1,
        maxConcurrency: 3,
        fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
      },
      {
        name: 'backup',
        kind: 'api-key',
        env: { ANTHROPIC_API_KEY: 'sk-ant-api03-backup-secret' },
        priority: 2,
        fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
      },
    ]);
  });

  it('defaults to the priority strategy and takes the other two', () => {
    const accounts = [{ name: 'a', env: { ANTHROPIC_API_KEY: 'k' } }];
    expect(parse({ accounts }).strategy).toBe('priority');
    expect(parse({ strategy: 'round-robin', accounts }).strategy).toBe('round-robin');
    expect(parse({ strategy: 'least-used', accounts }).strategy).toBe('least-used');
    expect(problem({ strategy: 'random', accounts })).toMatch(/^accounts\.json: strategy: /);
  });

  it('reads YAML, with references inside longer values', () => {
    const pool = parseAccountsFile(
      [
        'strategy: least-used',
        'accounts:',
        '  - name: bedrock-fallback',
        '    env:',
        '      CLAUDE_CODE_USE_BEDROCK: "1"',
        '      AWS_REGION: us-east-1',
        `      AWS_BEARER_TOKEN_BEDROCK: "token-${ref('BACKUP_KEY')}"`,
      ].join('\n'),
      { source: 'accounts.yaml', format: 'yaml', env: gatewayEnv },
    );
    expect(pool.accounts[0]).toMatchObject({
      name: 'bedrock-fallback',
      kind: 'bedrock',
      env: { AWS_BEARER_TOKEN_BEDROCK: 'token-sk-ant-api03-backup-secret', AWS_REGION: 'us-east-1' },
    });
  });

  it('names the variable a value references when it is unset or empty, never a value', () => {
    expect(problem({ accounts: [{ name: 'main', env: { ANTHROPIC_API_KEY: ref('TEAM_A_TOKEN') } }] })).toBe(
      `accounts.json: account "main": env.ANTHROPIC_API_KEY references ${ref('TEAM_A_TOKEN')}, which is not set in the gateway's environment`,
    );
    expect(problem({ accounts: [{ name: 'main', env: { ANTHROPIC_API_KEY: ref('EMPTY') } }] })).toMatch(
      /references \$\{EMPTY\}/,
    );
  });

  it('refuses variables Claude Code does not read for credentials, and those the gateway sets', () => {
    expect(problem({ accounts: [{ name: 'a', env: { ANTHROPIC_API_KEY: 'k', PATH: '/bin' } }] })).toMatch(
      /^accounts\.json: account "a": env\.PATH is not a variable Claude Code reads/,
    );
    expect(
      problem({
        accounts: [{ name: 'a', env: { ANTHROPIC_API_KEY: 'k', CLAUDE_AGENT_SDK_CLIENT_APP: 'x' } }],
      }),
    ).toMatch(/env\.CLAUDE_AGENT_SDK_CLIENT_APP is not a variable/);
  });

  it('needs each account to carry some credentials', () => {
    expect(problem({ accounts: [{ name: 'a', env: { ANTHROPIC_BASE_URL: 'https://x' } }] })).toMatch(
      /account "a": env gives no credentials/,
    );
    expect(problem({ accounts: [{ name: 'a', env: { CLAUDE_CODE_USE_VERTEX: '0' } }] })).toMatch(
      /no credentials/,
    );
    expect(
      parse({ accounts: [{ name: 'a', env: { CLAUDE_CONFIG_DIR: '/srv/claude-a' } }] }).accounts[0]?.kind,
    ).toBe('config-dir');
  });

  it('wants unique, safe names and sane limits, and says which account is wrong', () => {
    const env = { ANTHROPIC_API_KEY: 'k' };
    expect(
      problem({
        accounts: [
          { name: 'Main', env },
          { name: 'main', env },
        ],
      }),
    ).toBe('accounts.json: account "main": the name is already used by "Main"');
    expect(problem({ accounts: [{ name: 'team a', env }] })).toMatch(
      /^accounts\.json: accounts\[0\]\.name: must be/,
    );
    expect(problem({ accounts: [{ name: '../etc', env }] })).toMatch(/accounts\[0\]\.name/);
    expect(problem({ accounts: [{ name: 'a', env, maxConcurrency: 0 }] })).toMatch(
      /^accounts\.json: accounts\[0\] "a"\.maxConcurrency: /,
    );
    expect(problem({ accounts: [{ name: 'a', env, priority: 1.5 }] })).toMatch(/accounts\[0\] "a"\.priority/);
    expect(problem({ accounts: [{ name: 'a', env, weight: 2 }] })).toMatch(/accounts\[0\] "a": .*weight/);
    expect(problem({ accounts: [] })).toMatch(/accounts: must list at least one account/);
    expect(problem({ strategy: 'priority' })).toMatch(/^accounts\.json: accounts: /);
  });

  it('reports malformed JSON by position only, without quoting the text', () => {
    const message = problem(
      '{"accounts": [{"name": "a", "env": {"ANTHROPIC_API_KEY": sk-ant-api03-backup-secret}}]}',
    );
    expect(message).toMatch(/^accounts\.json: not valid JSON/);
    const yamlMessage = (() => {
      try {
        parseAccountsFile(
          'accounts:\n  - name: a\n    env: {ANTHROPIC_API_KEY: "sk-ant-api03-backup-secret"\n',
          {
            source: 'a.yaml',
            format: 'yaml',
            env: {},
          },
        );
      } catch (error) {
        return (error as Error).message;
      }
      return '';
    })();
    expect(yamlMessage).toMatch(/^a\.yaml: not valid YAML \(line \d+, column \d+\)$/);
  });

  it('gives equal fingerprints to equal accounts and a new one when the credentials change', () => {
    const first = parse(issueExample).accounts[0];
    expect(parse(issueExample).accounts[0]?.fingerprint).toBe(first?.fingerprint);
    const rotated = parse(issueExample, { ...gatewayEnv, MAIN_TOKEN: 'sk-ant-oat01-rotated' }).accounts[0];
    expect(rotated?.fingerprint).not.toBe(first?.fingerprint);
    expect(first?.fingerprint).not.toContain('secret');
  });
});

describe('accountKind', () => {
  it('follows what Claude Code would use first', () => {
    expect(accountKind({ CLAUDE_CODE_USE_BEDROCK: '1', ANTHROPIC_API_KEY: 'k' })).toBe('bedrock');
    expect(accountKind({ CLAUDE_CODE_USE_VERTEX: 'true' })).toBe('vertex');
    expect(accountKind({ CLAUDE_CODE_USE_FOUNDRY: '1' })).toBe('other');
    expect(accountKind({ CLAUDE_CODE_OAUTH_TOKEN: 't' })).toBe('subscription');
    expect(accountKind({ ANTHROPIC_API_KEY: 'k', ANTHROPIC_BASE_URL: 'https://proxy' })).toBe('api-key');
    expect(accountKind({ ANTHROPIC_AUTH_TOKEN: 't', ANTHROPIC_BASE_URL: 'https://other' })).toBe('other');
    expect(accountKind({ CLAUDE_CONFIG_DIR: '/srv/a' })).toBe('config-dir');
    expect(accountKind({})).toBe('other');
  });
});

describe('loadAccounts', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'accounts-file-'));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('is one implicit account from the environment without ACCOUNTS_FILE', () => {
    const loaded = loadAccounts(undefined, { CLAUDE_CODE_OAUTH_TOKEN: 't' });
    expect(loaded).toEqual({ pool: implicitAccountPool({ CLAUDE_CODE_OAUTH_TOKEN: 't' }), warnings: [] });
    expect(loaded.pool).toMatchObject({
      implicit: true,
      strategy: 'priority',
      accounts: [{ name: 'default', kind: 'subscription', env: {} }],
    });
    expect(loadAccounts('  ', {}).pool.implicit).toBe(true);
  });

  it('reads the file by its extension and warns when others may read it', () => {
    const file = path.join(dir, 'accounts.yml');
    writeFileSync(
      file,
      `accounts:\n  - name: main\n    env:\n      ANTHROPIC_API_KEY: ${ref('BACKUP_KEY')}\n`,
    );
    chmodSync(file, 0o600);
    expect(loadAccounts(file, gatewayEnv)).toMatchObject({
      pool: { accounts: [{ name: 'main' }] },
      warnings: [],
    });
    chmodSync(file, 0o644);
    expect(loadAccounts(file, gatewayEnv).warnings).toEqual([
      `ACCOUNTS_FILE ${file} can be read by other users (mode 644); run chmod 600 on it`,
    ]);
  });

  it('says when the file cannot be read', () => {
    const missing = path.join(dir, 'nope.json');
    expect(() => loadAccounts(missing, {})).toThrow(
      new ConfigError(`ACCOUNTS_FILE ${missing} cannot be read (ENOENT)`),
    );
  });
});
