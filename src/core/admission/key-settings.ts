import type { KeyPolicy } from '../../contract/key-policy.js';
import type { KeyChange } from '../../contract/ports/keys.js';
import type { ModelCatalog } from '../model-catalog.js';
import { type ProfileCatalog, policyFromProfile } from './profiles.js';

/** What a key's settings are checked against before a key is made or changed. */
export interface KeySettingsContext {
  models: Pick<ModelCatalog, 'ids' | 'unknown'>;
  profiles: ProfileCatalog;
}

export interface KeySettingProblem {
  setting: 'models' | 'profile';
  message: string;
}

/**
 * Settings that could never work, named so the CLI and the console can point at their own flag or
 * field: a model the gateway does not serve (a key allowed `gpt-9` would be refused every request),
 * a profile that does not exist.
 */
export function keySettingsProblems(change: KeyChange, context: KeySettingsContext): KeySettingProblem[] {
  const problems: KeySettingProblem[] = [];
  const unknownModels = change.models ? context.models.unknown(change.models) : [];
  if (unknownModels.length > 0) {
    const names = unknownModels.map((name) => `'${name}'`).join(', ');
    problems.push({
      setting: 'models',
      message: `${unknownModels.length > 1 ? 'unknown models' : 'unknown model'} ${names}; this gateway serves ${context.models.ids.join(', ')}`,
    });
  }
  if (change.profile && !Object.hasOwn(context.profiles, change.profile)) {
    problems.push({
      setting: 'profile',
      message: `unknown profile '${change.profile}'; known: ${Object.keys(context.profiles).join(', ')}`,
    });
  }
  return problems;
}

/** A new key's policy from settings: a setting removed (null) is simply absent. */
export function policyOfSettings(settings: Omit<KeyChange, 'expiresAt'>): KeyPolicy {
  return Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== null)) as KeyPolicy;
}

/** The settings with a named profile's laid under them: the profile gives, explicit settings override. */
export function withProfile(change: KeyChange, profiles: ProfileCatalog): KeyChange {
  const profile = change.profile ? profiles[change.profile] : undefined;
  return change.profile && profile
    ? { ...policyFromProfile(change.profile, profile, {}), ...change }
    : change;
}
