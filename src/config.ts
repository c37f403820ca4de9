import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_MODEL_IDS } from './claude/model-catalog.js';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');
const int = (min: number) => z.coerce.number().int().min(min);
const list = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean),
);

/** Every gateway setting comes from the environment and is checked here, once, at start. */
export const configSchema = z.object({
  PORT: int(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATA_DIR: z.string().min(1).default('.data'),
  CLAUDE_PATH: z.string().min(1).optional(),
  MAX_CONCURRENCY: int(1).default(4),
  MAX_QUEUE: int(0).default(32),
  QUEUE_TIMEOUT_MS: int(1).default(30_000),
  REQUEST_TIMEOUT_MS: int(1).default(600_000),
  KILL_GRACE_MS: int(0).default(1_000),
  /** Passed to Claude Code as CLAUDE_CODE_MAX_RETRIES unless that is set: its default is 10. */
  CLAUDE_MAX_RETRIES: int(0).default(2),
  /** Passed to Claude Code as API_TIMEOUT_MS unless that is set. */
  CLAUDE_API_TIMEOUT_MS: int(1).default(120_000),
  MODELS: list.default([...DEFAULT_MODEL_IDS]),
  SYSTEM_PROMPT_PLACEMENT: z.enum(['replace', 'append', 'first-user-turn']).default('replace'),
  MAX_BODY_BYTES: int(1024).default(25 * 1024 * 1024),
  MAX_IMAGE_BYTES: int(1).default(5 * 1024 * 1024),
  REMOTE_IMAGES: bool.default(false),
});

export type RawConfig = z.infer<typeof configSchema>;

export interface Config extends RawConfig {
  dataDir: string;
  workspaceDir: string;
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `  ${issue.path.join('.')}: ${issue.message}`)
      .join('\n');
    throw new ConfigError(`Invalid configuration:\n${problems}`);
  }
  const dataDir = path.resolve(cwd, parsed.data.DATA_DIR);
  return { ...parsed.data, dataDir, workspaceDir: path.join(dataDir, 'workspace') };
}
