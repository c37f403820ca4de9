import { hostname } from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { withoutBlankValues } from './config-env.js';
import { ConfigError } from './contract/config-error.js';
import { DEFAULT_MODEL_IDS, modelAliasProblems, parseModelAliases } from './core/model-catalog.js';

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
const modelAliases = z.string().transform((value, ctx) => {
  const parsed = parseModelAliases(value);
  if (parsed.ok) return parsed.aliases;
  for (const problem of parsed.problems) ctx.addIssue({ code: 'custom', message: problem });
  return z.NEVER;
});

/** Every gateway setting comes from the environment and is checked here, once, at start. */
export const configSchema = z.object({
  PORT: int(0).max(65535).default(8080),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Unset: pretty lines when stdout is a terminal, JSON otherwise. */
  LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
  DATA_DIR: z.string().min(1).default('.data'),
  CLAUDE_PATH: z.string().min(1).optional(),
  MAX_CONCURRENCY: int(1).default(4),
  /** Claude Code processes started ahead of demand (each holds ~250 MB idle); 0 turns it off. */
  WARM_SPARES: int(0).default(1),
  /**
   * Spares kept at most when requests arrive faster than one spare is replaced: the count follows
   * the arrival rate between WARM_SPARES and this, within MAX_CONCURRENCY's idle slots.
   */
  WARM_SPARES_MAX: int(0).default(3),
  /**
   * Keep processes spawned ahead of demand for requests the spares' options do not fit (another
   * system prompt, schema or client tools): they take those at claim time, saving part of a start.
   */
  WARM_OPEN_SPARES: bool.default(true),
  /**
   * Keep a process pre-spawned to resume a reserved session id, for a history the gateway did not
   * serve (its transcript is written under that id): needs WARM_OPEN_SPARES.
   */
  WARM_REBUILD_SPARES: bool.default(true),
  /** How far back request arrivals count when sizing the spares. */
  WARM_SPARES_WINDOW_MS: int(100).default(10_000),
  /** Conversations whose process stays alive between turns (each ~250 MB); 0 turns it off. */
  HOT_SESSIONS_MAX: int(0).default(2),
  /** An idle hot conversation's process ends after this long without a new turn. */
  HOT_SESSION_IDLE_MS: int(1).default(300_000),
  MAX_QUEUE: int(0).default(32),
  QUEUE_TIMEOUT_MS: int(1).default(30_000),
  REQUEST_TIMEOUT_MS: int(1).default(600_000),
  KILL_GRACE_MS: int(0).default(1_000),
  /** Passed to Claude Code as CLAUDE_CODE_MAX_RETRIES unless that is set: its default is 10. */
  CLAUDE_MAX_RETRIES: int(0).default(2),
  /** Passed to Claude Code as API_TIMEOUT_MS unless that is set. */
  CLAUDE_API_TIMEOUT_MS: int(1).default(120_000),
  /**
   * Claude Code's API requests go through a loopback relay that takes out the environment block it
   * adds (the gateway's working directory, OS version, ...), so no client's model sees the host.
   */
  SCRUB_UPSTREAM_ENVIRONMENT: bool.default(true),
  MODELS: list.default([...DEFAULT_MODEL_IDS]),
  SYSTEM_PROMPT_PLACEMENT: z.enum(['replace', 'append', 'first-user-turn']).default('replace'),
  MAX_BODY_BYTES: int(1024).default(25 * 1024 * 1024),
  MAX_IMAGE_BYTES: int(1).default(5 * 1024 * 1024),
  REMOTE_IMAGES: bool.default(false),
  /** One deadline per remote image: redirects, headers and body. */
  REMOTE_IMAGE_TIMEOUT_MS: int(1).default(10_000),
  REMOTE_IMAGE_MAX_REDIRECTS: int(0).max(10).default(3),
  /** Extra model names mapped to served ones, e.g. `gpt-4o=sonnet,gpt-4o-mini=haiku`; none by default. */
  MODEL_ALIASES: modelAliases.default({}),
  /** Conversations the gateway can continue: how long an idle one is kept, and how many (0: none). */
  SESSION_TTL_MS: int(1).default(60 * 60 * 1000),
  SESSION_MAX_COUNT: int(0).default(500),
  /** Native API sessions: at most this many per key and in all (their idle TTL is SESSION_TTL_MS). */
  NATIVE_SESSIONS_PER_KEY: int(1).default(100),
  NATIVE_SESSIONS_MAX: int(1).default(1000),
  /** Agent mode (the `claude_code` request extension); off unless the operator turns it on. */
  AGENT_MODE: bool.default(false),
  AGENT_ALLOWED_ROOTS: list.default([]),
  AGENT_ALLOWED_TOOLS: list.default(['Read', 'Grep', 'Glob']),
  AGENT_MAX_TURNS: int(1).max(100).default(10),
  AGENT_DEFAULT_PERMISSION_MODE: z
    .enum(['default', 'acceptEdits', 'plan', 'dontAsk', 'bypassPermissions'])
    .default('default'),
  AGENT_ALLOW_BYPASS_PERMISSIONS: bool.default(false),
  AGENT_MAX_BUDGET_USD: z.coerce.number().positive().optional(),
  /** Operator-defined permission profiles (JSON object name -> profile), added to free/pro/enterprise. */
  PROFILES_FILE: z.string().min(1).optional(),
  /**
   * The owner's Claude home (e.g. ~/.claude): its subagents (agents/NAME.md) and skills (skills/NAME/SKILL.md) become available
   * to tasks that name them. Unset: tasks and chat are as isolated as ever.
   */
  CLAUDE_HOME: z.string().min(1).optional(),
  /** Prompt templates (Markdown with front-matter); default: the `templates/` folder shipped with the gateway. */
  TEMPLATES_DIR: z.string().min(1).optional(),
  /** Environment variable names the seed route /api/execute may set through `env_vars`; none by default. */
  EXECUTE_ENV_ALLOWLIST: list.default([]),
  /** Comma-separated API keys with no limits (the owner's own). */
  GATEWAY_API_KEYS: list.default([]),
  /** A key that may also read /v1/usage. */
  GATEWAY_ADMIN_KEY: z.string().min(16).optional(),
  /** Let every request in without a key, even on a non-loopback HOST. */
  AUTH_DISABLED: bool.default(false),
  /** The SQLite file holding API keys and the audit log; default <DATA_DIR>/gateway.db. */
  STORE_PATH: z.string().min(1).optional(),
  /**
   * postgres://user:pass@host:5432/db: keep keys, audit log and shared state in PostgreSQL instead
   * of the SQLite file, so several gateways behind a load balancer act as one.
   */
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  /**
   * How long a starting gateway waits for DATABASE_URL to answer (a database container starting
   * beside it) before it gives up with one line and exit status 1; 0: one attempt.
   */
  DATABASE_CONNECT_WAIT_MS: int(0).default(10_000),
  /**
   * redis://host:6379/0: keep requests-per-minute windows and per-key run slots in Redis (shared by
   * every gateway pointing at it) instead of the database or memory.
   */
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must be a redis:// or rediss:// URL')
    .optional(),
  /**
   * Names this gateway among those sharing DATABASE_URL (default: the host name, stable per
   * container). With DATABASE_URL, Claude Code's config and temp dirs go under
   * <DATA_DIR>/instances/<INSTANCE_ID>, so gateways sharing a DATA_DIR never clean up each other's.
   * Stable across restarts on purpose: a restarted gateway fails the tasks its earlier process left
   * running by this id. Two live gateways cannot share the scratch dir: the second refuses to start
   * (a lock file there, freed when its process dies).
   */
  INSTANCE_ID: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, ".", "_" and "-" only')
    .optional(),
  /**
   * A JSON or YAML file of Claude accounts to pool (docs/accounts.md): each run goes to a usable one,
   * and a spent one is avoided until its reset. Unset: the gateway's own credentials, one account.
   */
  ACCOUNTS_FILE: z.string().min(1).optional(),
  /**
   * With every account spent, a request waits for the first reset when it comes within this many ms
   * (a stream keeps alive meanwhile); later resets, or 0, answer 429 at once with Retry-After.
   */
  ACCOUNTS_HOLD_MS: int(0).default(0),
  /** Keep each chat request's messages in the audit log (off: prompts often hold secrets). */
  AUDIT_PROMPTS: bool.default(false),
  /**
   * Signs the web console's sign-in cookies. Unset: a random secret per process (sign-ins end at a
   * restart); set the same value on every instance behind one load balancer.
   */
  CONSOLE_SESSION_SECRET: z.string().min(32).optional(),
  /** How long a console sign-in lasts. */
  CONSOLE_SESSION_TTL_MS: int(60_000).default(8 * 3_600_000),
  /** When set, GET /metrics needs `Authorization: Bearer <METRICS_TOKEN>`. */
  METRICS_TOKEN: z.string().min(1).optional(),
  /** On SIGTERM, how long running requests may take to finish before their runs are aborted. */
  SHUTDOWN_GRACE_MS: int(0).default(25_000),
  /** Deepest JSON nesting accepted in a request body. */
  MAX_JSON_DEPTH: int(8).max(1000).default(64),
  /** How long /ready reuses its store write probe: the endpoint is public and each probe writes. */
  READY_CACHE_MS: int(0).default(2_000),
  /** Browser origins allowed to call the API (CORS), e.g. `https://app.example`; `*` for any; off when empty. */
  CORS_ORIGINS: list.default([]),
  /**
   * Hosts (names or addresses) remote images may be fetched from even though they resolve to a private,
   * loopback or link-local address; every other such address is refused.
   */
  REMOTE_IMAGE_ALLOWED_HOSTS: list.default([]),
  /** A stream whose client has not read what was sent for this long is aborted and its slot freed. */
  STREAM_STALL_TIMEOUT_MS: int(1).default(30_000),
  /** Node server limits: time to receive a request's headers, the whole request, and idle keep-alive. */
  SERVER_HEADERS_TIMEOUT_MS: int(1).default(20_000),
  SERVER_REQUEST_TIMEOUT_MS: int(0).default(120_000),
  SERVER_KEEP_ALIVE_TIMEOUT_MS: int(1).default(5_000),
  /** Open connections the server accepts at once; more are refused at the socket. */
  SERVER_MAX_CONNECTIONS: int(1).default(256),
  /** Byte budget for kept conversations' files and image copies in the data dir; least recently used go first. 0: no budget. */
  SESSION_DISK_BUDGET_BYTES: int(0).default(2 * 1024 * 1024 * 1024),
});

export type RawConfig = z.infer<typeof configSchema>;

export interface Config extends RawConfig {
  dataDir: string;
  /** This instance's own scratch: DATA_DIR itself, or DATA_DIR/instances/<id> with DATABASE_URL. */
  instanceDir: string;
  instanceId: string;
  storePath: string;
  workspaceDir: string;
}

export function loadConfig(env: NodeJS.ProcessEnv, cwd = process.cwd()): Config {
  const parsed = configSchema.safeParse(withoutBlankValues(env));
  if (!parsed.success) {
    const problems = parsed.error.issues
      .map((issue) => `  ${issue.path.join('.')}: ${issue.message}`)
      .join('\n');
    throw new ConfigError(`Invalid configuration:\n${problems}`);
  }
  const aliasProblems = modelAliasProblems(parsed.data.MODELS, parsed.data.MODEL_ALIASES);
  if (aliasProblems.length > 0) {
    throw new ConfigError(
      `Invalid configuration:\n${aliasProblems.map((p) => `  MODEL_ALIASES: ${p}`).join('\n')}`,
    );
  }
  const { SERVER_HEADERS_TIMEOUT_MS: headers, SERVER_REQUEST_TIMEOUT_MS: request } = parsed.data;
  if (request > 0 && headers > request) {
    // Node refuses to create such a server; say so here instead of with a stack trace.
    throw new ConfigError(
      'Invalid configuration:\n  SERVER_HEADERS_TIMEOUT_MS: must not exceed SERVER_REQUEST_TIMEOUT_MS',
    );
  }
  const dataDir = path.resolve(cwd, parsed.data.DATA_DIR);
  const instanceId = parsed.data.INSTANCE_ID ?? hostname();
  return {
    ...parsed.data,
    dataDir,
    instanceId,
    instanceDir: parsed.data.DATABASE_URL ? path.join(dataDir, 'instances', instanceId) : dataDir,
    storePath: parsed.data.STORE_PATH
      ? path.resolve(cwd, parsed.data.STORE_PATH)
      : path.join(dataDir, 'gateway.db'),
    workspaceDir: path.join(dataDir, 'workspace'),
  };
}
