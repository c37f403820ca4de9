import { readFileSync, statSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import type { Account, AccountPool } from '../../contract/accounts.js';
import { ConfigError } from '../../contract/config-error.js';
import { isAccountVariable } from '../../engine/processes/claude-variables.js';
import { accountFingerprint, accountKind, givesCredentials } from './account-env.js';

/**
 * ACCOUNTS_FILE: the Claude accounts the gateway pools, as JSON or YAML (by extension). Values may
 * reference the gateway's environment as `${NAME}`, so the file itself need hold no secret. Every
 * problem is one line naming the account and field, and never a value (values are credentials).
 */

export const IMPLICIT_ACCOUNT_NAME = 'default';

/** Safe in a URL path, a metrics label, a CLI argument and a log line. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

const accountSchema = z.strictObject({
  name: z
    .string()
    .regex(NAME, 'must be 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit'),
  env: z.record(z.string(), z.string()),
  priority: z.number().int().optional(),
  maxConcurrency: z.number().int().min(1).optional(),
});

const fileSchema = z.strictObject({
  strategy: z.enum(['priority', 'round-robin', 'least-used']).default('priority'),
  accounts: z.array(accountSchema).min(1, 'must list at least one account'),
});

type AccountEntry = z.infer<typeof accountSchema>;
type Environment = Readonly<Record<string, string | undefined>>;

export interface ParseOptions {
  /** How the file is named in messages (its path). */
  source: string;
  format: 'json' | 'yaml';
  /** The gateway's environment, for `${NAME}` references. */
  env: Environment;
}

export function parseAccountsFile(text: string, options: ParseOptions): AccountPool {
  const raw = parseDocument(text, options);
  const parsed = fileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue ? pathOf(issue.path, raw) : '';
    throw new ConfigError(`${options.source}: ${where}${where ? ': ' : ''}${issue?.message ?? 'invalid'}`);
  }
  const seen = new Map<string, string>();
  const accounts = parsed.data.accounts.map((entry) => {
    const label = `${options.source}: account "${entry.name}"`;
    const duplicate = seen.get(entry.name.toLowerCase());
    if (duplicate !== undefined)
      throw new ConfigError(`${label}: the name is already used by "${duplicate}"`);
    seen.set(entry.name.toLowerCase(), entry.name);
    return toAccount(entry, label, options.env);
  });
  return { strategy: parsed.data.strategy, accounts, implicit: false };
}

/** Without ACCOUNTS_FILE: the gateway's own environment is the one account. */
export function implicitAccountPool(env: Environment): AccountPool {
  return {
    strategy: 'priority',
    accounts: [
      {
        name: IMPLICIT_ACCOUNT_NAME,
        kind: accountKind(env),
        // Empty: the process environment the gateway builds already carries its credentials.
        env: {},
        fingerprint: accountFingerprint(IMPLICIT_ACCOUNT_NAME, {}),
      },
    ],
    implicit: true,
  };
}

export interface LoadedAccounts {
  pool: AccountPool;
  /** For the caller to log at start (the file's permissions). */
  warnings: string[];
}

export interface AccountsFileSystem {
  readFile(path: string): string;
  /** The file's permission bits. */
  mode(path: string): number;
}

const nodeFileSystem: AccountsFileSystem = {
  readFile: (path) => readFileSync(path, 'utf8'),
  mode: (path) => statSync(path).mode,
};

/** ACCOUNTS_FILE if set, else the implicit account; a file others can read is a warning. */
export function loadAccounts(
  path: string | undefined,
  env: Environment,
  fileSystem: AccountsFileSystem = nodeFileSystem,
): LoadedAccounts {
  if (path === undefined || path.trim() === '') return { pool: implicitAccountPool(env), warnings: [] };
  let text: string;
  let mode: number;
  try {
    text = fileSystem.readFile(path);
    mode = fileSystem.mode(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(`ACCOUNTS_FILE ${path} cannot be read${code ? ` (${code})` : ''}`);
  }
  const format = /\.ya?ml$/i.test(path) ? 'yaml' : 'json';
  const pool = parseAccountsFile(text, { source: path, format, env });
  const warnings =
    (mode & 0o077) !== 0
      ? [
          `ACCOUNTS_FILE ${path} can be read by other users (mode ${(mode & 0o777).toString(8)}); run chmod 600 on it`,
        ]
      : [];
  return { pool, warnings };
}

function parseDocument(text: string, options: ParseOptions): unknown {
  try {
    return options.format === 'yaml' ? parseYaml(text) : JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      `${options.source}: not valid ${options.format.toUpperCase()}${whereParsingFailed(error)}`,
    );
  }
}

/**
 * Only the position: both parsers quote the text around a mistake (the YAML one on later lines of its
 * message, V8's JSON.parse inline), and that text may be a credential.
 */
function whereParsingFailed(error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  const lineColumn = /line (\d+), column (\d+)/.exec(message);
  if (lineColumn) return ` (line ${lineColumn[1]}, column ${lineColumn[2]})`;
  const position = /position (\d+)/.exec(message);
  return position ? ` (at character ${position[1]})` : '';
}

function toAccount(entry: AccountEntry, label: string, gatewayEnv: Environment): Account {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(entry.env)) {
    if (!isAccountVariable(name)) {
      throw new ConfigError(
        `${label}: env.${name} is not a variable Claude Code reads for its credentials or endpoint (ANTHROPIC_*, CLAUDE_*, AWS_*, VERTEX_*, GOOGLE_APPLICATION_CREDENTIALS, CLOUD_ML_REGION, proxy and certificate settings)`,
      );
    }
    env[name] = interpolate(value, `${label}: env.${name}`, gatewayEnv);
  }
  if (!givesCredentials(env)) {
    throw new ConfigError(
      `${label}: env gives no credentials (set ANTHROPIC_API_KEY, CLAUDE_CODE_OAUTH_TOKEN, ANTHROPIC_AUTH_TOKEN, CLAUDE_CONFIG_DIR, or CLAUDE_CODE_USE_BEDROCK / CLAUDE_CODE_USE_VERTEX)`,
    );
  }
  return {
    name: entry.name,
    kind: accountKind(env),
    env,
    ...(entry.priority !== undefined ? { priority: entry.priority } : {}),
    ...(entry.maxConcurrency !== undefined ? { maxConcurrency: entry.maxConcurrency } : {}),
    fingerprint: accountFingerprint(entry.name, env),
  };
}

function interpolate(value: string, where: string, gatewayEnv: Environment): string {
  return value.replace(REFERENCE, (_match, name: string) => {
    const resolved = gatewayEnv[name];
    if (resolved === undefined || resolved === '') {
      throw new ConfigError(`${where} references \${${name}}, which is not set in the gateway's environment`);
    }
    return resolved;
  });
}

/** `accounts[1].maxConcurrency`, with the account's name when it has one. */
function pathOf(path: readonly PropertyKey[], raw: unknown): string {
  const [first, index, ...rest] = path;
  if (first === 'accounts' && typeof index === 'number') {
    const entry = isRecord(raw) && Array.isArray(raw.accounts) ? raw.accounts[index] : undefined;
    const name =
      isRecord(entry) && typeof entry.name === 'string' && NAME.test(entry.name) ? ` "${entry.name}"` : '';
    const field = rest.length > 0 ? `.${rest.map(String).join('.')}` : '';
    return `accounts[${index}]${name}${field}`;
  }
  return path.map(String).join('.');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
