import { createHash } from 'node:crypto';
import type { AccountKind } from '../../contract/accounts.js';

/**
 * Which variables an account may set, and what they say about it. An account sets what Claude Code
 * reads for its credentials and endpoint: the same families the gateway passes to every Claude Code
 * process (src/engine/processes/child-env.ts), minus the gateway's own settings.
 */
const ALLOWED_PREFIXES = ['ANTHROPIC_', 'CLAUDE_', 'AWS_', 'VERTEX_'];
const ALLOWED_EXACT = new Set([
  'GOOGLE_APPLICATION_CREDENTIALS',
  'CLOUD_ML_REGION',
  'API_TIMEOUT_MS',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
]);
/** Set by the gateway for every process, or the gateway's own settings: not an account's to change. */
const GATEWAY_CONTROLLED = new Set([
  'CLAUDE_PATH',
  'CLAUDE_MAX_RETRIES',
  'CLAUDE_API_TIMEOUT_MS',
  'CLAUDE_AGENT_SDK_CLIENT_APP',
  'CLAUDE_CODE_TMPDIR',
]);

/**
 * What authenticates Claude Code. These never pass from the gateway's environment to an account
 * from ACCOUNTS_FILE: an account that forgot its own key must fail, not spend the gateway's.
 */
export const CREDENTIAL_VARIABLES: readonly string[] = [
  'ANTHROPIC_API_KEY',
  'ANTHROPIC_AUTH_TOKEN',
  'CLAUDE_CODE_OAUTH_TOKEN',
  'CLAUDE_CODE_USE_BEDROCK',
  'CLAUDE_CODE_USE_VERTEX',
  'CLAUDE_CODE_USE_FOUNDRY',
  'AWS_ACCESS_KEY_ID',
  'AWS_SECRET_ACCESS_KEY',
  'AWS_SESSION_TOKEN',
  'AWS_PROFILE',
  'AWS_BEARER_TOKEN_BEDROCK',
  'GOOGLE_APPLICATION_CREDENTIALS',
  'ANTHROPIC_FOUNDRY_API_KEY',
];

export function isAllowedAccountVariable(name: string): boolean {
  if (GATEWAY_CONTROLLED.has(name)) return false;
  return ALLOWED_EXACT.has(name) || ALLOWED_PREFIXES.some((prefix) => name.startsWith(prefix));
}

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

/**
 * The environment of a process running under an account from ACCOUNTS_FILE: the gateway's process
 * environment without any credential, then the account's own variables.
 */
export function withAccountEnv(
  base: Readonly<Record<string, string>>,
  accountEnv: Readonly<Record<string, string>>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (!CREDENTIAL_VARIABLES.includes(name)) env[name] = value;
  }
  return { ...env, ...accountEnv };
}

function isOn(value: string | undefined): boolean {
  const normalized = value?.trim().toLowerCase();
  return normalized !== undefined && normalized !== '' && normalized !== '0' && normalized !== 'false';
}
