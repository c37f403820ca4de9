import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** One account of ACCOUNTS_FILE as tests write it. */
export interface TestAccount {
  name: string;
  env: Record<string, string>;
  priority?: number;
  maxConcurrency?: number;
}

/**
 * Writes an ACCOUNTS_FILE the way an operator should (mode 600) into its own temp dir; returns its
 * path. The tests' credentials are made-up keys the mock Messages API scripts by value.
 */
export function writeAccountsFile(
  accounts: readonly TestAccount[],
  strategy: 'priority' | 'round-robin' | 'least-used' = 'priority',
): string {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'cg-accounts-')), 'accounts.json');
  writeFileSync(file, JSON.stringify({ strategy, accounts }), { mode: 0o600 });
  return file;
}

/** An API key account: the mock sees the key as `x-api-key`. */
export const apiKeyAccount = (name: string, key: string, extra: Partial<TestAccount> = {}): TestAccount => ({
  name,
  env: { ANTHROPIC_API_KEY: key },
  ...extra,
});

/** A subscription account: Claude Code sends the token as `Authorization: Bearer`. */
export const subscriptionAccount = (
  name: string,
  token: string,
  extra: Partial<TestAccount> = {},
): TestAccount => ({ name, env: { CLAUDE_CODE_OAUTH_TOKEN: token }, ...extra });
