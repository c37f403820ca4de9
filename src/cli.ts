#!/usr/bin/env node
import { runAccountTest } from './cli/account-test-run.js';
import { ACCOUNTS_USAGE, accountsCommand } from './cli/accounts-command.js';
import { type CliIo, UsageError } from './cli/cli-io.js';
import { KEYS_USAGE, keysCommand } from './cli/keys-command.js';
import { migrateCommand } from './cli/migrate-command.js';
import { USAGE_USAGE, usageCommand } from './cli/usage-command.js';
import { loadConfig } from './config.js';
import { ConfigError } from './contract/config-error.js';
import { createAccountRouter } from './core/accounts/account-router.js';
import { accountSlots } from './core/accounts/account-slots.js';
import { loadAccounts } from './core/accounts/accounts-file.js';
import { loadProfiles } from './core/admission/profiles.js';
import { claudeCodeAliases, createModelCatalog } from './core/model-catalog.js';
import { storeLocation } from './store/engine.js';
import { type GatewayStore, openGatewayStore } from './store/gateway-store.js';
import { GATEWAY_VERSION } from './version.js';

const HELP = `claude-gateway ${GATEWAY_VERSION}: an OpenAI-compatible API in front of Claude Code.

Usage:
  claude-gateway [serve]          start the server (settings come from environment variables)
  claude-gateway keys ...         manage API keys in <DATA_DIR>/gateway.db (STORE_PATH), or in
                                  PostgreSQL when DATABASE_URL=postgres://... is set
  claude-gateway usage ...        requests, tokens and cost per key and UTC day
  claude-gateway accounts ...     the pooled Claude accounts (ACCOUNTS_FILE): state, test, clear
  claude-gateway migrate          bring the store's schema up to date (the server also does at start)
  claude-gateway --help | --version

${KEYS_USAGE}

${USAGE_USAGE}

${ACCOUNTS_USAGE}`;

const io: CliIo = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

async function main(argv: readonly string[]): Promise<number | undefined> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'serve') {
    if (rest.length > 0)
      throw new UsageError('serve takes no arguments; configure it with environment variables.');
    // Loaded only to serve: the server (Hono, the Agent SDK, every surface) is most of the start-up
    // time, which `keys`, `usage` and `migrate` do without.
    const { runServer } = await import('./server.js');
    await runServer(process.env);
    return undefined;
  }
  if (command === '--help' || command === '-h' || command === 'help') {
    io.out(HELP);
    return 0;
  }
  if (command === '--version' || command === '-v') {
    io.out(GATEWAY_VERSION);
    return 0;
  }
  if (command === 'keys') {
    const config = loadConfig(process.env);
    const models = createModelCatalog(config.MODELS, config.MODEL_ALIASES, claudeCodeAliases(process.env));
    const context = { profiles: loadProfiles(config.PROFILES_FILE, models), models };
    return withStore((store) => keysCommand(rest, store.keys, io, context));
  }
  if (command === 'usage') return withStore((store) => usageCommand(rest, store.audit, io));
  if (command === 'accounts') return withStore((store) => runAccountsCommand(rest, store));
  if (command === 'migrate') {
    if (rest.length > 0) throw new UsageError('migrate takes no arguments.');
    return migrateCommand(currentLocation(), io);
  }
  throw new UsageError(`Unknown command '${command}'.`);
}

/** The pool from ACCOUNTS_FILE over the store's shared states (and run leases, on PostgreSQL). */
async function runAccountsCommand(args: readonly string[], store: GatewayStore): Promise<number> {
  const config = loadConfig(process.env);
  const { pool, warnings } = loadAccounts(config.ACCOUNTS_FILE, process.env);
  for (const warning of warnings) io.err(`claude-gateway: ${warning}`);
  const leases =
    store.engine === 'postgres' ? store.concurrency({ instanceId: `cli-${process.pid}` }) : undefined;
  const router = createAccountRouter({
    pool,
    states: store.accountStates,
    slots: accountSlots(leases ? { shared: leases } : {}),
  });
  try {
    return await accountsCommand(args, {
      router,
      usageSince: (from) => store.audit.usageByAccount(from, Date.now() + 1),
      testRun: (account) => runAccountTest({ config, env: process.env, router, account }),
      io,
    });
  } finally {
    await leases?.close();
  }
}

function currentLocation() {
  const config = loadConfig(process.env);
  return storeLocation({ databaseUrl: config.DATABASE_URL, storePath: config.storePath });
}

async function withStore(run: (store: GatewayStore) => Promise<number>): Promise<number> {
  const store = await openGatewayStore(currentLocation());
  try {
    return await run(store);
  } finally {
    await store.close();
  }
}

function isParseArgsError(error: unknown): error is Error {
  return (
    error instanceof TypeError && String((error as { code?: unknown }).code).startsWith('ERR_PARSE_ARGS')
  );
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code !== undefined) process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.err(`claude-gateway: ${error.message}\nRun 'claude-gateway --help' for usage.`);
      process.exitCode = 2;
    } else if (error instanceof ConfigError) {
      io.err(`claude-gateway: ${error.message}`);
      process.exitCode = 1;
    } else {
      io.err(`claude-gateway: ${error instanceof Error ? error.message : String(error)}`);
      process.exitCode = 1;
    }
  },
);
