import { throughRelay } from '../upstream/relay-env.js';
import type { RelayTarget } from '../upstream/relay-routes.js';

/**
 * The environment of every Claude Code process. It is an allowlist: the CLI's own variables and the
 * basics a process needs pass through; anything else (the gateway's keys above all) does not.
 */
const PASS_EXACT = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'LANG',
  'TZ',
  'TMPDIR',
  'TERM',
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'API_TIMEOUT_MS',
  'DISABLE_TELEMETRY',
  'DISABLE_AUTOUPDATER',
  'DISABLE_ERROR_REPORTING',
  'CLOUD_ML_REGION',
]);
const PASS_PREFIXES = ['ANTHROPIC_', 'CLAUDE_', 'LC_', 'AWS_', 'VERTEX_', 'GOOGLE_APPLICATION_CREDENTIALS'];
/** Gateway settings that happen to share a passed prefix. */
const GATEWAY_OWN = new Set(['CLAUDE_PATH', 'CLAUDE_MAX_RETRIES', 'CLAUDE_API_TIMEOUT_MS']);

export interface ChildEnvSettings {
  configDir: string;
  maxRetries: number;
  apiTimeoutMs: number;
  clientApp: string;
  /**
   * The relay's base URL for a target (scrub-relay.ts), when API requests go through it. Applied
   * last, to the otherwise final environment: the upstream and proxy it names are what the relay
   * follows (whatever is merged into a process's environment after this would bypass the relay).
   */
  relayBaseUrlFor?: (target: RelayTarget) => string;
}

export function buildChildEnv(source: NodeJS.ProcessEnv, settings: ChildEnvSettings): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined || GATEWAY_OWN.has(key)) continue;
    if (PASS_EXACT.has(key) || PASS_PREFIXES.some((prefix) => key.startsWith(prefix))) env[key] = value;
  }
  env.CLAUDE_CONFIG_DIR ??= settings.configDir;
  // Bounded retries: the CLI's default (10 with backoff) can hold a request for minutes.
  env.CLAUDE_CODE_MAX_RETRIES ??= String(settings.maxRetries);
  env.API_TIMEOUT_MS ??= String(settings.apiTimeoutMs);
  // No background calls (title generation and the like) billed on the caller's model.
  env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC ??= '1';
  env.CLAUDE_AGENT_SDK_CLIENT_APP = settings.clientApp;
  return settings.relayBaseUrlFor ? throughRelay(env, settings.relayBaseUrlFor) : env;
}
