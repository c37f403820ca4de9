import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { Api } from '../api.js';
import { isoDay, time, usd, usdExact } from '../format.js';
import {
  draftOf,
  EMPTY_DRAFT,
  type KeySettingsDraft,
  KeySettingsFields,
  ServedModels,
  settingsOf,
  withoutNulls,
} from '../key-settings-form.js';
import { type KeyView, useKeys } from '../keys-data.js';

export function KeysPage({ api, models }: { api: Api; models: readonly string[] }) {
  const { keys, reload } = useKeys(api);
  const [name, setName] = useState('');
  const [admin, setAdmin] = useState(false);
  const [draft, setDraft] = useState<KeySettingsDraft>(EMPTY_DRAFT);
  const [editing, setEditing] = useState<{ key: KeyView; draft: KeySettingsDraft } | undefined>();
  const [created, setCreated] = useState<{ name: string; key: string } | undefined>();
  const [confirming, setConfirming] = useState<string | undefined>();
  const [copied, setCopied] = useState(false);
  const [error, setError] = useState('');

  const create = async (event: Event) => {
    event.preventDefault();
    setError('');
    try {
      const result = await api.send<{ name: string; key: string }>('POST', '/keys', {
        name,
        admin,
        ...withoutNulls(settingsOf(draft)),
      });
      setCreated(result);
      setCopied(false);
      setName('');
      setAdmin(false);
      setDraft(EMPTY_DRAFT);
      reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const save = async (event: Event) => {
    event.preventDefault();
    if (!editing) return;
    setError('');
    try {
      // Every field is sent: an emptied one removes its setting.
      await api.send('PATCH', `/keys/${encodeURIComponent(editing.key.id)}`, settingsOf(editing.draft));
      setEditing(undefined);
      reload();
    } catch (e) {
      setError((e as Error).message);
    }
  };
  const revoke = async (id: string) => {
    await api.send('DELETE', `/keys/${encodeURIComponent(id)}`).catch((e: Error) => setError(e.message));
    setConfirming(undefined);
    reload();
  };

  return html`<section aria-labelledby="keys-title">
    <h1 id="keys-title">Keys</h1>
    <${ServedModels} models=${models} />
    <form class="card" onSubmit=${create} aria-label="Create a key">
      <h2>Create a key</h2>
      <div class="filters">
        <label>Name <input name="name" required maxlength="64" value=${name} onInput=${(e: Event) => setName((e.target as HTMLInputElement).value)} /></label>
        <${KeySettingsFields} draft=${draft} onChange=${setDraft} />
        <label class="check"><input type="checkbox" checked=${admin} onChange=${(e: Event) => setAdmin((e.target as HTMLInputElement).checked)} /> Admin</label>
        <button type="submit">Create</button>
      </div>
    </form>
    ${
      editing &&
      html`<form class="card" onSubmit=${save} aria-label=${`Edit key ${editing.key.name}`}>
        <h2>Edit ${editing.key.name}</h2>
        <p class="muted">Empty fields remove the setting. Every gateway applies the change from the key’s next request.</p>
        <div class="filters">
          <${KeySettingsFields} draft=${editing.draft} onChange=${(next: KeySettingsDraft) => setEditing({ ...editing, draft: next })} />
          <button type="submit">Save</button>
          <button type="button" class="quiet" onClick=${() => setEditing(undefined)}>Cancel</button>
        </div>
      </form>`
    }
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${
      created &&
      html`<div class="card secret" role="status">
        <p>Key <strong>${created.name}</strong> created. It is shown once: copy it now.</p>
        <code data-new-key>${created.key}</code>
        <button type="button" onClick=${() => navigator.clipboard?.writeText(created.key).then(() => setCopied(true))}>${copied ? 'Copied' : 'Copy'}</button>
        <button type="button" class="quiet" onClick=${() => setCreated(undefined)}>Done</button>
      </div>`
    }
    <div class="table-wrap"><table class="reflow">
      <thead><tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Limits</th><th scope="col">Spend / budget</th><th scope="col">Created</th><th scope="col">Status</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
      <tbody>${keys.map(
        (k) => html`<tr data-key=${k.name}>
          <td data-label="Name">${k.name}${k.admin ? html` <span class="badge">admin</span>` : ''}${k.policy.profile ? html` <span class="badge">${k.policy.profile}</span>` : ''}</td>
          <td data-label="Prefix"><code>${k.prefix}…</code></td>
          <td data-label="Limits">${limitsOf(k)}</td>
          <td data-label="Spend / budget">${spendOf(k)}</td>
          <td data-label="Created">${time(k.createdAt)}</td>
          <td data-label="Status">${k.state}</td>
          <td class="actions">${
            k.revokedAt
              ? ''
              : confirming === k.id
                ? html`<span class="confirm">Revoke ${k.name}? <button type="button" class="danger" onClick=${() => revoke(k.id)}>Confirm revoke</button> <button type="button" class="quiet" onClick=${() => setConfirming(undefined)}>Cancel</button></span>`
                : html`<button type="button" class="quiet" onClick=${() => setEditing({ key: k, draft: draftOf(k) })}>Edit</button> <button type="button" class="quiet" onClick=${() => setConfirming(k.id)}>Revoke</button>`
          }</td>
        </tr>`,
      )}</tbody>
    </table></div>
  </section>`;
}

/** Everything that limits the key, budget included, so no limited key reads "none". */
function limitsOf(k: KeyView): string {
  const { policy } = k;
  const parts = [
    policy.rpm ? `${policy.rpm} rpm` : '',
    policy.concurrency ? `${policy.concurrency} at once` : '',
    policy.budgetUsd !== undefined ? `budget ${budgetOf(k)}` : '',
    policy.models?.length ? `models ${policy.models.join(', ')}` : '',
    policy.agentTools?.length ? `tools ${policy.agentTools.join(', ')}` : '',
    policy.accounts?.length ? `accounts ${policy.accounts.join(', ')}` : '',
    k.expiresAt !== null ? `expires ${isoDay(k.expiresAt)}` : '',
  ];
  return parts.filter(Boolean).join(' · ') || 'none';
}

const budgetOf = (k: KeyView) =>
  k.policy.budgetUsd === undefined
    ? ''
    : `${usdExact(k.policy.budgetUsd)}${k.policy.budgetPeriod ? ` a ${k.policy.budgetPeriod}` : ''}`;

/** All the key spent, and against a periodic budget what it spent this period. */
function spendOf(k: KeyView): string {
  if (k.policy.budgetUsd === undefined) return usd(k.spentUsd);
  if (!k.policy.budgetPeriod) return `${usd(k.spentUsd)} / ${budgetOf(k)}`;
  return `${usd(k.budgetSpentUsd)} / ${budgetOf(k)} (${usd(k.spentUsd)} in all)`;
}
