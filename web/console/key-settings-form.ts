import { html } from 'htm/preact';
import type { BudgetPeriod, KeyView, ReasoningField } from './keys-data.js';

/** A key's settings as the form holds them: text, '' for "not set". */
export interface KeySettingsDraft {
  rpm: string;
  concurrency: string;
  budgetUsd: string;
  budgetPeriod: '' | BudgetPeriod;
  models: string;
  agentTools: string;
  profile: string;
  accounts: string;
  reasoningField: '' | ReasoningField;
  /** YYYY-MM-DD: the key stops working at the start of that day (UTC). */
  expires: string;
}

export const EMPTY_DRAFT: KeySettingsDraft = {
  rpm: '',
  concurrency: '',
  budgetUsd: '',
  budgetPeriod: '',
  models: '',
  agentTools: '',
  profile: '',
  accounts: '',
  reasoningField: '',
  expires: '',
};

export function draftOf(key: KeyView): KeySettingsDraft {
  const { policy } = key;
  return {
    rpm: policy.rpm?.toString() ?? '',
    concurrency: policy.concurrency?.toString() ?? '',
    budgetUsd: policy.budgetUsd?.toString() ?? '',
    budgetPeriod: policy.budgetPeriod ?? '',
    models: policy.models?.join(', ') ?? '',
    agentTools: policy.agentTools?.join(', ') ?? '',
    profile: policy.profile ?? '',
    accounts: policy.accounts?.join(', ') ?? '',
    reasoningField: policy.reasoningField ?? '',
    expires: key.expiresAt === null ? '' : new Date(key.expiresAt).toISOString().slice(0, 10),
  };
}

/**
 * The settings to send: each filled field, and `null` for an empty one, which removes the setting
 * when a key is changed (a new key leaves nulls out).
 */
export function settingsOf(draft: KeySettingsDraft): Record<string, unknown> {
  const list = (text: string) => {
    const items = text
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    return items.length > 0 ? items : null;
  };
  const number = (text: string) => (text.trim() ? Number(text) : null);
  return {
    rpm: number(draft.rpm),
    concurrency: number(draft.concurrency),
    budgetUsd: number(draft.budgetUsd),
    budgetPeriod: draft.budgetPeriod || null,
    models: list(draft.models),
    agentTools: list(draft.agentTools),
    profile: draft.profile.trim() || null,
    accounts: list(draft.accounts),
    reasoningField: draft.reasoningField || null,
    expiresAt: draft.expires ? Date.parse(`${draft.expires}T00:00:00Z`) : null,
  };
}

export const withoutNulls = (settings: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(settings).filter(([, value]) => value !== null));

/** The served models, offered as suggestions by every Models field (once per page: ids are unique). */
export const ServedModels = ({ models }: { models: readonly string[] }) =>
  html`<datalist id="served-models">${models.map((id) => html`<option value=${id} />`)}</datalist>`;

/** Every setting a key has, the same fields for a new key and a change. */
export function KeySettingsFields({
  draft,
  onChange,
}: {
  draft: KeySettingsDraft;
  onChange: (draft: KeySettingsDraft) => void;
}) {
  const set = (field: keyof KeySettingsDraft) => (event: Event) =>
    onChange({ ...draft, [field]: (event.target as HTMLInputElement | HTMLSelectElement).value });
  return html`
    <label>Requests per minute <input name="rpm" type="number" min="1" step="1" value=${draft.rpm} onInput=${set('rpm')} /></label>
    <label>Concurrent runs <input name="concurrency" type="number" min="1" step="1" value=${draft.concurrency} onInput=${set('concurrency')} /></label>
    <label>Budget (USD) <input name="budgetUsd" type="number" min="0" step="any" value=${draft.budgetUsd} onInput=${set('budgetUsd')} /></label>
    <label>Budget period <select name="budgetPeriod" value=${draft.budgetPeriod} onChange=${set('budgetPeriod')}>
      <option value="">for good</option><option value="day">each day</option><option value="week">each week</option><option value="month">each month</option>
    </select></label>
    <label>Expires (UTC date) <input name="expires" type="date" value=${draft.expires} onInput=${set('expires')} /></label>
    <label>Models <input name="models" list="served-models" placeholder="all" value=${draft.models} onInput=${set('models')} /></label>
    <label>Agent tools <input name="agentTools" placeholder="none; * for any" value=${draft.agentTools} onInput=${set('agentTools')} /></label>
    <label>Profile <input name="profile" placeholder="none" value=${draft.profile} onInput=${set('profile')} /></label>
    <label>Claude accounts <input name="accounts" placeholder="all" title="ACCOUNTS_FILE names, comma-separated; empty: every account" value=${draft.accounts} onInput=${set('accounts')} /></label>
    <label>Reasoning field <select name="reasoningField" value=${draft.reasoningField} onChange=${set('reasoningField')}>
      <option value="">gateway default</option><option value="reasoning_content">reasoning_content</option><option value="reasoning">reasoning</option><option value="both">both</option>
    </select></label>`;
}
