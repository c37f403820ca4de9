import { parseArgs } from 'node:util';
import { isReasoningField, type KeyPolicy, REASONING_FIELDS } from '../contract/key-policy.js';
import type { ApiKeyRecord, KeyStore } from '../contract/ports/keys.js';
import { BUILT_IN_PROFILES, type ProfileCatalog, policyFromProfile } from '../core/admission/profiles.js';
import { DuplicateKeyNameError } from '../store/key-store.js';
import { roundUsd } from '../util/round-usd.js';
import { type CliIo, commaList, positiveInt, positiveNumber, table, UsageError } from './cli-io.js';

export const KEYS_USAGE = `Usage:
  claude-gateway keys create --name NAME [--rpm N] [--concurrency N] [--budget-usd USD]
                             [--models ID,ID] [--agent-tools TOOL,TOOL|*] [--profile NAME]
                             [--accounts ACCOUNT,ACCOUNT] [--reasoning-field reasoning_content|reasoning|both]
                             [--admin] [--json]
  claude-gateway keys list [--all] [--json]
  claude-gateway keys revoke ID|NAME`;

/** `claude-gateway keys ...`; returns the exit code. */
export async function keysCommand(
  args: readonly string[],
  keys: KeyStore,
  io: CliIo,
  profiles: ProfileCatalog = BUILT_IN_PROFILES,
): Promise<number> {
  const [action, ...rest] = args;
  switch (action) {
    case 'create':
      return createKey(rest, keys, io, profiles);
    case 'list':
      return listKeys(rest, keys, io);
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
  profiles: ProfileCatalog,
): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: {
      name: { type: 'string' },
      rpm: { type: 'string' },
      concurrency: { type: 'string' },
      'budget-usd': { type: 'string' },
      models: { type: 'string' },
      'agent-tools': { type: 'string' },
      profile: { type: 'string' },
      accounts: { type: 'string' },
      'reasoning-field': { type: 'string' },
      admin: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const name = values.name?.trim();
  if (!name) throw new UsageError('--name is required.');
  const policy: KeyPolicy = {};
  const rpm = positiveInt('rpm', values.rpm);
  const concurrency = positiveInt('concurrency', values.concurrency);
  const budgetUsd = positiveNumber('budget-usd', values['budget-usd']);
  const models = commaList(values.models);
  const agentTools = commaList(values['agent-tools']);
  const accounts = commaList(values.accounts);
  if (rpm !== undefined) policy.rpm = rpm;
  if (concurrency !== undefined) policy.concurrency = concurrency;
  if (budgetUsd !== undefined) policy.budgetUsd = budgetUsd;
  if (models) policy.models = models;
  if (agentTools) policy.agentTools = agentTools;
  if (accounts) policy.accounts = accounts;
  const reasoningField = values['reasoning-field']?.trim();
  if (reasoningField !== undefined) {
    if (!isReasoningField(reasoningField)) {
      throw new UsageError(`--reasoning-field must be one of ${REASONING_FIELDS.join(', ')}.`);
    }
    policy.reasoningField = reasoningField;
  }
  const profileName = values.profile?.trim();
  const profile = profileName ? profiles[profileName] : undefined;
  if (profileName && !profile) {
    throw new UsageError(`Unknown profile '${profileName}'; known: ${Object.keys(profiles).join(', ')}.`);
  }
  // Explicit flags override what the profile gives.
  const effective = profileName && profile ? policyFromProfile(profileName, profile, policy) : policy;

  let created: { record: ApiKeyRecord; key: string };
  try {
    created = await keys.create({ name, admin: values.admin, policy: effective });
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
  io.out(`Created key ${created.record.id} (${name}): ${describePolicy(created.record)}`);
  io.out(created.key);
  io.out('Store it now: only its hash is kept, it cannot be shown again.');
  return 0;
}

async function listKeys(args: readonly string[], keys: KeyStore, io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...args],
    options: { all: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
    strict: true,
  });
  const records = await keys.list({ includeRevoked: values.all });
  if (values.json) {
    io.out(JSON.stringify(records.map(recordJson)));
    return 0;
  }
  if (records.length === 0) {
    io.out('No keys.');
    return 0;
  }
  io.out(
    table([
      ['ID', 'NAME', 'PREFIX', 'SPENT', 'CREATED', 'STATUS', 'POLICY'],
      ...records.map((record) => [
        record.id,
        record.name,
        `${record.prefix}…`,
        `$${record.spentUsd.toFixed(4)}`,
        new Date(record.createdAt).toISOString().slice(0, 10),
        record.revokedAt === null ? 'active' : 'revoked',
        describePolicy(record),
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
    models: record.policy.models ?? null,
    agent_tools: record.policy.agentTools ?? null,
    profile: record.policy.profile ?? null,
    accounts: record.policy.accounts ?? null,
    reasoning_field: record.policy.reasoningField ?? null,
    spent_usd: roundUsd(record.spentUsd),
    created_at: new Date(record.createdAt).toISOString(),
    revoked_at: record.revokedAt === null ? null : new Date(record.revokedAt).toISOString(),
  };
}

function describePolicy(record: ApiKeyRecord): string {
  const { policy } = record;
  const parts = [
    record.admin ? 'admin' : undefined,
    policy.profile !== undefined ? `profile ${policy.profile}` : undefined,
    policy.rpm !== undefined ? `${policy.rpm} rpm` : undefined,
    policy.concurrency !== undefined ? `${policy.concurrency} concurrent` : undefined,
    policy.budgetUsd !== undefined ? `budget $${policy.budgetUsd}` : undefined,
    policy.models ? `models ${policy.models.join(',')}` : 'all models',
    policy.agentTools ? `agent tools ${policy.agentTools.join(',')}` : 'no agent mode',
    policy.accounts ? `accounts ${policy.accounts.join(',')}` : undefined,
    policy.reasoningField ? `reasoning in ${policy.reasoningField}` : undefined,
  ];
  return parts.filter(Boolean).join(', ');
}
