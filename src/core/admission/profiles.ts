import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../../contract/config-error.js';
import {
  ANY_TOOL,
  type KeyPolicy,
  REASONING_FIELDS,
  type ReasoningField,
} from '../../contract/key-policy.js';

/**
 * A permission profile: the limits a key gets by naming it (`keys create --profile pro`). The key's
 * general limits (rpm, concurrency, budget, tools) are copied onto the key when it is made, so
 * explicit flags can override them; the task limits below are read by name at request time.
 * `*` in a list means "everything the gateway offers".
 */
export interface PermissionProfile {
  description: string;
  tools: readonly string[];
  agents: readonly string[];
  skills: readonly string[];
  /** Seconds a task may run when it names no timeout; absent: the gateway's request timeout. */
  defaultTimeoutSeconds?: number;
  /** Longest timeout a task may ask for; absent: the gateway's request timeout. */
  maxTimeoutSeconds?: number;
  maxTurns?: number;
  rpm?: number;
  concurrency?: number;
  budgetUsd?: number;
  /** The Claude accounts (ACCOUNTS_FILE names) keys made with the profile may use; absent: all. */
  accounts?: readonly string[];
  /** Where chat completions put Claude's thinking for keys made with the profile; absent: the default. */
  reasoningField?: ReasoningField;
}

const READ_ONLY = ['Read', 'Grep', 'Glob'];

export const BUILT_IN_PROFILES: Readonly<Record<string, PermissionProfile>> = {
  free: {
    description: 'Read-only tools (Read, Grep, Glob), 60 s tasks, no agents or skills.',
    tools: READ_ONLY,
    agents: [],
    skills: [],
    defaultTimeoutSeconds: 60,
    maxTimeoutSeconds: 60,
    maxTurns: 10,
    rpm: 10,
    concurrency: 1,
  },
  pro: {
    description: 'Adds Write, Edit and Bash; 5 min tasks.',
    tools: [...READ_ONLY, 'Write', 'Edit', 'Bash'],
    agents: [],
    skills: [],
    defaultTimeoutSeconds: 300,
    maxTimeoutSeconds: 300,
    maxTurns: 30,
    rpm: 60,
    concurrency: 4,
  },
  enterprise: {
    description: 'Every tool, agent and skill the gateway allows, within its own limits.',
    tools: [ANY_TOOL],
    agents: [ANY_TOOL],
    skills: [ANY_TOOL],
  },
};

const profileSchema = z.strictObject({
  description: z.string().default(''),
  tools: z.array(z.string().min(1)).default([]),
  agents: z.array(z.string().min(1)).default([]),
  skills: z.array(z.string().min(1)).default([]),
  defaultTimeoutSeconds: z.number().positive().optional(),
  maxTimeoutSeconds: z.number().positive().optional(),
  maxTurns: z.number().int().min(1).optional(),
  rpm: z.number().int().min(1).optional(),
  concurrency: z.number().int().min(1).optional(),
  budgetUsd: z.number().positive().optional(),
  accounts: z.array(z.string().min(1)).min(1).optional(),
  reasoningField: z.enum(REASONING_FIELDS).optional(),
});

export type ProfileCatalog = Readonly<Record<string, PermissionProfile>>;

/** Built-in profiles plus the operator's (PROFILES_FILE, a JSON object of name -> profile). */
export function loadProfiles(file: string | undefined): ProfileCatalog {
  if (file === undefined) return BUILT_IN_PROFILES;
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`PROFILES_FILE: cannot read ${file} as JSON (${(error as Error).message})`);
  }
  const parsed = z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/), profileSchema).safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(`PROFILES_FILE: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  }
  const operator: Record<string, PermissionProfile> = {};
  for (const [name, profile] of Object.entries(parsed.data)) operator[name] = withoutUndefined(profile);
  return { ...BUILT_IN_PROFILES, ...operator };
}

/** The key policy a profile gives, with the explicit settings laid over it. */
export function policyFromProfile(name: string, profile: PermissionProfile, explicit: KeyPolicy): KeyPolicy {
  const policy: KeyPolicy = { profile: name, agentTools: [...profile.tools] };
  if (profile.rpm !== undefined) policy.rpm = profile.rpm;
  if (profile.concurrency !== undefined) policy.concurrency = profile.concurrency;
  if (profile.budgetUsd !== undefined) policy.budgetUsd = profile.budgetUsd;
  if (profile.accounts !== undefined) policy.accounts = [...profile.accounts];
  if (profile.reasoningField !== undefined) policy.reasoningField = profile.reasoningField;
  return { ...policy, ...explicit };
}

/** Whether a profile's list allows `name` (`*` allows everything). */
export function profileAllows(list: readonly string[], name: string): boolean {
  return list.includes(ANY_TOOL) || list.includes(name);
}

function withoutUndefined(profile: z.infer<typeof profileSchema>): PermissionProfile {
  return Object.fromEntries(
    Object.entries(profile).filter(([, value]) => value !== undefined),
  ) as unknown as PermissionProfile;
}
