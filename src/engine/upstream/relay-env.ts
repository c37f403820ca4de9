import type { RelayTarget } from './relay-routes.js';

/** Where Claude Code sends its API requests when ANTHROPIC_BASE_URL is not set. */
export const DEFAULT_UPSTREAM = 'https://api.anthropic.com';

/**
 * The switches that send Claude Code to another provider (Bedrock, Vertex, Foundry, a cloud
 * marketplace, an LLM gateway of its own), which ignores ANTHROPIC_BASE_URL: such a process keeps
 * its environment, and its requests do not go through the relay.
 */
const OTHER_PROVIDERS = [
  'CLAUDE_CODE_USE_BEDROCK',
  'CLAUDE_CODE_USE_VERTEX',
  'CLAUDE_CODE_USE_FOUNDRY',
  'CLAUDE_CODE_USE_ANTHROPIC_AWS',
  'CLAUDE_CODE_USE_ANTHROPIC_GOOGLE_CLOUD',
  'CLAUDE_CODE_USE_MANTLE',
  'CLAUDE_CODE_USE_GATEWAY',
];
const OFF = new Set(['', '0', 'false', 'no', 'off']);
/** Claude Code's own switch: treat a base URL as Anthropic's API (it turns first-party features on). */
const ASSUME_FIRST_PARTY = '_CLAUDE_CODE_ASSUME_FIRST_PARTY_BASE_URL';

/**
 * A process environment whose API requests go through the relay: ANTHROPIC_BASE_URL names the
 * relay's route to the upstream the environment named (Anthropic's API when none), reached through
 * the outbound proxy it named. The caller passes a process's final environment, so whatever set them
 * (the operator, an account) is what the relay follows.
 */
export function throughRelay(
  env: Readonly<Record<string, string>>,
  baseUrlFor: (target: RelayTarget) => string,
): Record<string, string> {
  if (OTHER_PROVIDERS.some((name) => isOn(env[name]))) return { ...env };
  const upstream = env.ANTHROPIC_BASE_URL || DEFAULT_UPSTREAM;
  const proxy = {
    httpProxy: env.HTTP_PROXY ?? env.http_proxy,
    httpsProxy: env.HTTPS_PROXY ?? env.https_proxy,
    noProxy: env.NO_PROXY ?? env.no_proxy,
  };
  const routed: Record<string, string> = { ...env, ANTHROPIC_BASE_URL: baseUrlFor({ upstream, proxy }) };
  // Claude Code turns some features on only for Anthropic's own API, which it would no longer
  // recognise behind a loopback URL.
  if (new URL(upstream).host === new URL(DEFAULT_UPSTREAM).host) routed[ASSUME_FIRST_PARTY] ??= '1';
  // A process with an outbound proxy must reach the relay directly (either spelling may be read).
  if (hasProxy(env)) {
    routed.NO_PROXY = withLoopback(env.NO_PROXY ?? env.no_proxy);
    routed.no_proxy = withLoopback(env.no_proxy ?? env.NO_PROXY);
  }
  return routed;
}

function isOn(value: string | undefined): boolean {
  return value !== undefined && !OFF.has(value.trim().toLowerCase());
}

function hasProxy(env: Readonly<Record<string, string>>): boolean {
  return ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'].some((name) => Boolean(env[name]));
}

function withLoopback(noProxy: string | undefined): string {
  const entries = (noProxy ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  return entries.includes('127.0.0.1') ? entries.join(',') : [...entries, '127.0.0.1'].join(',');
}
