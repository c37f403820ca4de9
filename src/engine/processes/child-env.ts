import { passesToClaudeCode } from './claude-variables.js';

export interface ChildEnvSettings {
  configDir: string;
  maxRetries: number;
  apiTimeoutMs: number;
  clientApp: string;
}

/**
 * The environment of every Claude Code process: an allowlist of the gateway's (claude-variables.ts),
 * so the CLI's own variables and the basics a process needs pass through and nothing else does (the
 * gateway's keys above all).
 */
export function buildChildEnv(source: NodeJS.ProcessEnv, settings: ChildEnvSettings): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(source)) {
    if (value !== undefined && passesToClaudeCode(key)) env[key] = value;
  }
  env.CLAUDE_CONFIG_DIR ??= settings.configDir;
  // Bounded retries: the CLI's default (10 with backoff) can hold a request for minutes.
  env.CLAUDE_CODE_MAX_RETRIES ??= String(settings.maxRetries);
  env.API_TIMEOUT_MS ??= String(settings.apiTimeoutMs);
  // No background calls (title generation and the like) billed on the caller's model.
  env.CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC ??= '1';
  env.CLAUDE_AGENT_SDK_CLIENT_APP = settings.clientApp;
  return env;
}
