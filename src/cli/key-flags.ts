import {
  BUDGET_PERIODS,
  isBudgetPeriod,
  isReasoningField,
  REASONING_FIELDS,
} from '../contract/key-policy.js';
import type { KeyChange } from '../contract/ports/keys.js';
import { type KeySettingsContext, keySettingsProblems, withProfile } from '../core/admission/key-settings.js';
import { commaList, positiveInt, positiveNumber, UsageError } from './cli-io.js';
import { parseExpiry } from './expiry.js';

/** The flags that set what a key may do, the same for `keys create` and `keys update`. */
export const KEY_SETTING_OPTIONS = {
  rpm: { type: 'string' },
  concurrency: { type: 'string' },
  'budget-usd': { type: 'string' },
  'budget-period': { type: 'string' },
  models: { type: 'string' },
  'agent-tools': { type: 'string' },
  profile: { type: 'string' },
  accounts: { type: 'string' },
  'reasoning-field': { type: 'string' },
  expires: { type: 'string' },
} as const;

export type KeySettingFlags = { [Flag in keyof typeof KEY_SETTING_OPTIONS]?: string | undefined };

/**
 * The change the flags ask for. A word removes a setting (`keys update` only): `none` for a limit,
 * the profile or agent mode, `all` for the model and account lists, `never` for the expiry,
 * `default` for the reasoning field. A profile's settings come first, explicit flags override them.
 */
export function changeFromFlags(flags: KeySettingFlags, context: KeySettingsContext, now: number): KeyChange {
  const change: KeyChange = {};
  const given = (flag: keyof KeySettingFlags, clearWord: string) => {
    const value = flags[flag]?.trim();
    return value === clearWord ? null : value;
  };
  const rpm = given('rpm', 'none');
  if (rpm !== undefined) change.rpm = rpm === null ? null : positiveInt('rpm', rpm);
  const concurrency = given('concurrency', 'none');
  if (concurrency !== undefined) {
    change.concurrency = concurrency === null ? null : positiveInt('concurrency', concurrency);
  }
  const budget = given('budget-usd', 'none');
  if (budget !== undefined) change.budgetUsd = budget === null ? null : positiveNumber('budget-usd', budget);
  const period = given('budget-period', 'none');
  if (period !== undefined) {
    if (period !== null && !isBudgetPeriod(period)) {
      throw new UsageError(`--budget-period must be one of ${BUDGET_PERIODS.join(', ')} (or none).`);
    }
    change.budgetPeriod = period;
  }
  const models = given('models', 'all');
  if (models !== undefined) change.models = models === null ? null : listOf('models', models);
  const tools = given('agent-tools', 'none');
  if (tools !== undefined) change.agentTools = tools === null ? null : listOf('agent-tools', tools);
  const accounts = given('accounts', 'all');
  if (accounts !== undefined) change.accounts = accounts === null ? null : listOf('accounts', accounts);
  const field = given('reasoning-field', 'default');
  if (field !== undefined) {
    if (field !== null && !isReasoningField(field)) {
      throw new UsageError(`--reasoning-field must be one of ${REASONING_FIELDS.join(', ')} (or default).`);
    }
    change.reasoningField = field;
  }
  const expires = given('expires', 'never');
  if (expires !== undefined) change.expiresAt = expires === null ? null : parseExpiry(expires, now);
  const profile = given('profile', 'none');
  if (profile !== undefined) change.profile = profile;

  const problem = keySettingsProblems(change, context)[0];
  if (problem) throw new UsageError(`--${problem.setting}: ${problem.message}.`);
  return withProfile(change, context.profiles);
}

function listOf(flag: string, value: string): string[] {
  const items = commaList(value);
  if (!items) throw new UsageError(`--${flag} needs at least one name.`);
  return items;
}
