import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Where Claude Code would find its credentials, or `null` when none of the documented ways is set. */
export interface ClaudeCredentials {
  source: string | null;
}

/**
 * What an operator can set; named in the start-up warning and in the error a request gets when
 * Claude Code reports that it is not logged in.
 */
export const CREDENTIALS_HELP =
  'Set one of: ANTHROPIC_API_KEY (an Anthropic API key); CLAUDE_CODE_OAUTH_TOKEN (from `claude setup-token`, for a Pro/Max subscription); CLAUDE_CONFIG_DIR (a directory `claude login` wrote); or a cloud provider (CLAUDE_CODE_USE_BEDROCK=1 or CLAUDE_CODE_USE_VERTEX=1 with its credentials).';

const CREDENTIAL_VARIABLES = ['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN'];
const PROVIDER_SWITCHES = ['CLAUDE_CODE_USE_BEDROCK', 'CLAUDE_CODE_USE_VERTEX', 'CLAUDE_CODE_USE_FOUNDRY'];

/**
 * Looks for the ways Claude Code authenticates without asking anyone: the environment it is given,
 * then what `claude login` leaves in its config dir (`.credentials.json`, or an API key or account
 * recorded in `.claude.json`). A miss is reported, not enforced: Claude Code is the judge, this only
 * lets the gateway say early and clearly what is missing. Cheap enough to run on every /ready.
 */
export function findClaudeCredentials(
  env: Readonly<Record<string, string | undefined>>,
  configDir: string,
): ClaudeCredentials {
  for (const name of CREDENTIAL_VARIABLES) {
    if (env[name]?.trim()) return { source: name };
  }
  for (const name of PROVIDER_SWITCHES) {
    if (isOn(env[name])) return { source: name };
  }
  if (readJson(path.join(configDir, '.credentials.json')) !== undefined) {
    return { source: `${configDir}/.credentials.json` };
  }
  const state = readJson(path.join(configDir, '.claude.json'));
  if (isRecord(state) && (state.primaryApiKey || state.oauthAccount)) {
    return { source: `${configDir}/.claude.json` };
  }
  return { source: null };
}

function isOn(value: string | undefined): boolean {
  const normalized = value?.trim().toLowerCase();
  return normalized !== undefined && normalized !== '' && normalized !== '0' && normalized !== 'false';
}

function readJson(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
