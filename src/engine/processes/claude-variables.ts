/**
 * The one list of which environment variables reach a Claude Code process and which of them an
 * account (ACCOUNTS_FILE) may set. A process gets an allowlist of the gateway's environment: the
 * basics any process needs and the variables Claude Code itself reads; never the gateway's own
 * settings or secrets. An account sets only what Claude Code reads for its credentials and endpoint.
 */

/** What any process needs to run at all. */
const PROCESS_BASICS = new Set(['PATH', 'HOME', 'USER', 'LOGNAME', 'SHELL', 'LANG', 'TZ', 'TMPDIR', 'TERM']);
const PROCESS_BASIC_PREFIXES = ['LC_'];

/** Families of variables Claude Code reads (its settings, credentials, providers' SDKs). */
const CLAUDE_PREFIXES = ['ANTHROPIC_', 'CLAUDE_', 'AWS_', 'VERTEX_'];
const CLAUDE_EXACT = new Set([
  'GOOGLE_APPLICATION_CREDENTIALS',
  'CLOUD_ML_REGION',
  'API_TIMEOUT_MS',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'DISABLE_TELEMETRY',
  'DISABLE_AUTOUPDATER',
  'DISABLE_ERROR_REPORTING',
]);

/** Gateway settings that happen to share Claude Code's prefix: never passed to a process. */
const GATEWAY_SETTINGS = new Set(['CLAUDE_PATH', 'CLAUDE_MAX_RETRIES', 'CLAUDE_API_TIMEOUT_MS']);

/** Set by the gateway on every process, whatever account it runs under. */
const GATEWAY_SET = new Set(['CLAUDE_AGENT_SDK_CLIENT_APP', 'CLAUDE_CODE_TMPDIR']);

/**
 * What authenticates Claude Code. None of these passes from the gateway's environment to a process
 * of an account from ACCOUNTS_FILE: an account that forgot its own key must fail, not spend the
 * gateway's.
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

/** A variable Claude Code reads, and not one of the gateway's own settings. */
export function isClaudeVariable(name: string): boolean {
  if (GATEWAY_SETTINGS.has(name)) return false;
  return CLAUDE_EXACT.has(name) || CLAUDE_PREFIXES.some((prefix) => name.startsWith(prefix));
}

/** Whether the gateway's environment passes this variable to Claude Code processes. */
export function passesToClaudeCode(name: string): boolean {
  return (
    PROCESS_BASICS.has(name) ||
    PROCESS_BASIC_PREFIXES.some((prefix) => name.startsWith(prefix)) ||
    isClaudeVariable(name)
  );
}

/** Whether an account may set this variable: one Claude Code reads that the gateway does not set itself. */
export function isAccountVariable(name: string): boolean {
  return isClaudeVariable(name) && !GATEWAY_SET.has(name);
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
