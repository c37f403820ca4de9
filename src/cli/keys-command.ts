import { parseArgs } from 'node:util';
import type { ApiKeyRecord, KeyStore } from '../contract/ports/keys.js';
import { type KeySettingsContext, policyOfSettings } from '../core/admission/key-settings.js';
import { type KeyStanding, keyStanding } from '../core/admission/key-standing.js';
import { DuplicateKeyNameError } from '../store/key-store.js';
import { formatUsd, roundUsd } from '../util/round-usd.js';
import { type CliIo, table, UsageError } from './cli-io.js';
import { changeFromFlags, KEY_SETTING_OPTIONS } from './key-flags.js';

export const KEYS_USAGE = `Usage:
  claude-gateway keys create --name NAME [SETTINGS] [--admin] [--json]
  claude-gateway keys update ID|NAME SETTINGS [--json]
  claude-gateway keys list [--all] [--json]
  claude-gateway keys revoke ID|NAME
Settings:
  --rpm N  --concurrency N  --budget-usd USD  --budget-period day|week|month
  --models ID,ID (aliases or full names)  --agent-tools TOOL,TOOL|*  --profile NAME
  --accounts ACCOUNT,ACCOUNT  --reasoning-field reasoning_content|reasoning|both
  --expires 30d|12h|8w|2027-01-31
  keys update removes a setting with: none (limits, period, profile, agent tools), all (models,
  accounts), never (expires), default (reasoning field).`;

export interface KeysCommandContext extends KeySettingsContext {
  now?: () => number;
}

/** `claude-gateway keys ...`; returns the exit code. */
export async function keysCommand(
  args: readonly string[],
  keys: KeyStore,
  io: CliIo,
  context: KeysCommandContext,
): Promise<number> {
  const [action, ...rest] = args;
  const now = context.now ?? Date.now;
  switch (action) {
    case 'create':
      return createKey(rest, keys, io, context, now());
    case 'update':
      return updateKey(rest, keys, io, context, now());
    case 'list':
      return listKeys(rest, keys, io, now());
    case 'revoke':
      return revokeKey(rest, keys, io);
    default:
      throw new UsageError(action ? `Unknown keys command '${action}'.` : 'Missing keys command.');
  }
}

async function createKey(
  args: readonly string[],
  keys: KeyStore,
  io: CliIo,
  context: KeySettingsContext,
  now: number,
): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      name: { type: 'string' },
      ...KEY_SETTING_OPTIONS,
      admin: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const name = values.name?.trim();
  if (!name) throw new UsageError('--name is required.');
  const { expiresAt, ...settings } = changeFromFlags(values, context, now);

  let created: { record: ApiKeyRecord; key: string };
  try {
    created = await keys.create({
      name,
      admin: values.admin,
      policy: policyOfSettings(settings),
      ...(expiresAt ? { expiresAt } : {}),
    });
  } catch (error) {
    if (error instanceof DuplicateKeyNameError) {
      io.err(`claude-gateway: ${error.message} Revoke it first or pick another name.`);
      return 1;
    }
    throw error;
  }
  if (values.json) {
    io.out(JSON.stringify({ ...recordJson(created.record), key: created.key }));
    return 0;
  }
  io.out(`Created key ${created.record.id} (${name}): ${describeKey(created.record)}`);
  io.out(created.key);
  io.out('Store it now: only its hash is kept, it cannot be shown again.');
  return 0;
}

async function updateKey(
  args: readonly string[],
  keys: KeyStore,
  io: CliIo,
  context: KeySettingsContext,
  now: number,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...args],
    options: { ...KEY_SETTING_OPTIONS, json: { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  const target = positionals[0];
  if (!target || positionals.length > 1) throw new UsageError('keys update takes one key id or name.');
  const change = changeFromFlags(values, context, now);
  if (Object.keys(change).length === 0)
    throw new UsageError('keys update needs at least one setting to change.');
  const updated = await keys.update(target, change);
  if (!updated) {
    io.err(`claude-gateway: no active key with id or name '${target}'.`);
    return 1;
  }
  if (values.json) {
    io.out(JSON.stringify(recordJson(updated)));
    return 0;
  }
  // Gateways read keys on every request: the change holds from the key's next request on.
  io.out(`Updated key ${updated.id} (${updated.name}): ${describeKey(updated)}`);
  return 0;
}

async function listKeys(args: readonly string[], keys: KeyStore, io: CliIo, now: number): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: { all: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  const records = await keys.list({ includeRevoked: values.all });
  const standings = await Promise.all(records.map((record) => keyStanding(keys, record, now)));
  if (values.json) {
    io.out(
      JSON.stringify(records.map((record, i) => ({ ...recordJson(record), ...standingJson(standings[i]) }))),
    );
    return 0;
  }
  if (records.length === 0) {
    io.out('No keys.');
    return 0;
  }
  io.out(
    table([
      ['ID', 'NAME', 'PREFIX', 'SPENT', 'CREATED', 'STATUS', 'POLICY'],
      ...records.map((record, i) => [
        record.id,
        record.name,
        `${record.prefix}…`,
        formatUsd(record.spentUsd),
        new Date(record.createdAt).toISOString().slice(0, 10),
        standings[i]?.state ?? 'active',
        describeKey(record),
      ]),
    ]),
  );
  return 0;
}

async function revokeKey(args: readonly string[], keys: KeyStore, io: CliIo): Promise<number> {
  const { positionals } = parseArgs({ args: [...args], options: {}, allowPositionals: true, strict: true });
  const target = positionals[0];
  if (!target || positionals.length > 1) throw new UsageError('keys revoke takes one key id or name.');
  const revoked = await keys.revoke(target);
  if (!revoked) {
    io.err(`claude-gateway: no active key with id or name '${target}'.`);
    return 1;
  }
  io.out(`Revoked key ${revoked.id} (${revoked.name}).`);
  return 0;
}

function recordJson(record: ApiKeyRecord) {
  return {
    id: record.id,
    name: record.name,
    prefix: record.prefix,
    admin: record.admin,
    rpm: record.policy.rpm ?? null,
    concurrency: record.policy.concurrency ?? null,
    budget_usd: record.policy.budgetUsd ?? null,
    budget_period: record.policy.budgetPeriod ?? null,
    models: record.policy.models ?? null,
    agent_tools: record.policy.agentTools ?? null,
    profile: record.policy.profile ?? null,
    accounts: record.policy.accounts ?? null,
    reasoning_field: record.policy.reasoningField ?? null,
    spent_usd: roundUsd(record.spentUsd),
    created_at: new Date(record.createdAt).toISOString(),
    revoked_at: record.revokedAt === null ? null : new Date(record.revokedAt).toISOString(),
    expires_at: record.expiresAt === null ? null : new Date(record.expiresAt).toISOString(),
  };
}

function standingJson(standing: KeyStanding | undefined) {
  return standing ? { status: standing.state, budget_spent_usd: roundUsd(standing.budgetSpentUsd) } : {};
}

function describeKey(record: ApiKeyRecord): string {
  const { policy } = record;
  const budget =
    policy.budgetUsd === undefined
      ? undefined
      : `budget ${formatUsd(policy.budgetUsd)}${policy.budgetPeriod ? ` a ${policy.budgetPeriod}` : ''}`;
  const parts = [
    record.admin ? 'admin' : undefined,
    policy.profile !== undefined ? `profile ${policy.profile}` : undefined,
    policy.rpm !== undefined ? `${policy.rpm} rpm` : undefined,
    policy.concurrency !== undefined ? `${policy.concurrency} concurrent` : undefined,
    budget,
    policy.models ? `models ${policy.models.join(',')}` : 'all models',
    policy.agentTools ? `agent tools ${policy.agentTools.join(',')}` : 'no agent mode',
    policy.accounts ? `accounts ${policy.accounts.join(',')}` : undefined,
    policy.reasoningField ? `reasoning in ${policy.reasoningField}` : undefined,
    record.expiresAt !== null ? `expires ${new Date(record.expiresAt).toISOString()}` : undefined,
  ];
  return parts.filter(Boolean).join(', ');
}
