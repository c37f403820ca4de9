/**
 * How tests and the fixture recorders run the real Claude Code CLI against the mock Messages API:
 * isolated from the user's own settings, with everything the CLI writes kept in scratch directories.
 */
import type { Options } from '@anthropic-ai/claude-agent-sdk';

export interface MockCliSandbox {
  /** The mock Messages API's base URL. */
  mockUrl: string;
  home: string;
  configDir: string;
  /** The key the CLI sends to the mock as x-api-key. */
  apiKey?: string;
}

/** The CLI's environment: only PATH from ours, so no real credentials or settings leak in. */
export function mockCliEnv(sandbox: MockCliSandbox): Record<string, string | undefined> {
  return {
    PATH: process.env.PATH,
    HOME: sandbox.home,
    ANTHROPIC_BASE_URL: sandbox.mockUrl,
    ANTHROPIC_API_KEY: sandbox.apiKey ?? 'sk-ant-mock',
    CLAUDE_CONFIG_DIR: sandbox.configDir,
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    CLAUDE_CODE_MAX_RETRIES: '0',
  };
}

/**
 * SDK `query()` options for one bare run (no tools, no settings, streamed, nothing persisted);
 * `overrides` win, and their `env` is added to the sandbox's.
 */
export function mockCliOptions(sandbox: MockCliSandbox & { cwd: string }, overrides: Options = {}): Options {
  return {
    tools: [],
    settingSources: [],
    includePartialMessages: true,
    verbatimPrompts: true,
    persistSession: false,
    systemPrompt: '',
    model: 'sonnet',
    cwd: sandbox.cwd,
    ...overrides,
    // Claude Code leaves a folder per start in its temp dir; keep them in the sandbox, not /tmp.
    env: { ...mockCliEnv(sandbox), CLAUDE_CODE_TMPDIR: `${sandbox.configDir}-tmp`, ...overrides.env },
  };
}
