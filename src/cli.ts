#!/usr/bin/env node
import { type CliIo, UsageError } from './cli/cli-io.js';
import { KEYS_USAGE, keysCommand } from './cli/keys-command.js';
import { migrateCommand } from './cli/migrate-command.js';
import { USAGE_USAGE, usageCommand } from './cli/usage-command.js';
import { loadConfig } from './config.js';
import { ConfigError } from './contract/config-error.js';
import { loadProfiles } from './core/admission/profiles.js';
import { storeLocation } from './store/engine.js';
import { type GatewayStore, openGatewayStore } from './store/gateway-store.js';
import { GATEWAY_VERSION } from './version.js';

const HELP = `claude-gateway ${GATEWAY_VERSION}: an OpenAI-compatible API in front of Claude Code.

Usage:
  claude-gateway [serve]          start the server (settings come from environment variables)
  claude-gateway keys ...         manage API keys in <DATA_DIR>/gateway.db (STORE_PATH), or in
                                  PostgreSQL when DATABASE_URL=postgres://... is set
  claude-gateway usage ...        requests, tokens and cost per key and UTC day
  claude-gateway migrate          bring the store's schema up to date (the server also does at start)
  claude-gateway --help | --version

${KEYS_USAGE}

${USAGE_USAGE}`;

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
    const profiles = loadProfiles(loadConfig(process.env).PROFILES_FILE);
    return withStore((store) => keysCommand(rest, store.keys, io, profiles));
  }
  if (command === 'usage') return withStore((store) => usageCommand(rest, store.audit, io));
  if (command === 'migrate') {
    if (rest.length > 0) throw new UsageError('migrate takes no arguments.');
    return migrateCommand(currentLocation(), io);
  }
  throw new UsageError(`Unknown command '${command}'.`);
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
