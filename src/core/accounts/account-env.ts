import { createHash } from 'node:crypto';
import type { AccountKind } from '../../contract/accounts.js';

/**
 * What an account's variables say about it. Which variables an account may set, and which never pass
 * from the gateway to an account's process, is the engine's one list
 * (src/engine/processes/claude-variables.ts).
 */

/** Whether `env` names some way for Claude Code to authenticate (a key, a token, a provider, a login dir). */
export function givesCredentials(env: Readonly<Record<string, string>>): boolean {
  return (
    Boolean(env.CLAUDE_CONFIG_DIR) ||
    ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN'].some((name) =>
      Boolean(env[name]),
    ) ||
    ['CLAUDE_CODE_USE_BEDROCK', 'CLAUDE_CODE_USE_VERTEX', 'CLAUDE_CODE_USE_FOUNDRY'].some((name) =>
      isOn(env[name]),
    )
  );
}

/**
 * In the order Claude Code itself prefers them: a cloud provider switch wins over any key, an OAuth
 * token is a subscription, an Anthropic key is an API key; a bearer for another endpoint
 * (ANTHROPIC_AUTH_TOKEN) or a provider the list does not name is `other`.
 */
export function accountKind(env: Readonly<Record<string, string | undefined>>): AccountKind {
  if (isOn(env.CLAUDE_CODE_USE_BEDROCK)) return 'bedrock';
  if (isOn(env.CLAUDE_CODE_USE_VERTEX)) return 'vertex';
  if (isOn(env.CLAUDE_CODE_USE_FOUNDRY)) return 'other';
  if (env.CLAUDE_CODE_OAUTH_TOKEN) return 'subscription';
  if (env.ANTHROPIC_API_KEY) return 'api-key';
  if (env.ANTHROPIC_AUTH_TOKEN) return 'other';
  if (env.CLAUDE_CONFIG_DIR) return 'config-dir';
  return 'other';
}

/**
 * A short digest of the account's name and environment: equal while nothing changed, and says nothing
 * about the values (a SHA-256 of high-entropy keys, cut to 64 bits).
 */
export function accountFingerprint(name: string, env: Readonly<Record<string, string>>): string {
  const entries = Object.entries(env).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return createHash('sha256')
    .update(JSON.stringify([name, entries]))
    .digest('hex')
    .slice(0, 16);
}

function isOn(value: string | undefined): boolean {
  const normalized = value?.trim().toLowerCase();
  return normalized !== undefined && normalized !== '' && normalized !== '0' && normalized !== 'false';
}
