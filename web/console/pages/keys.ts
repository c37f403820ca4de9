import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { Api } from '../api.js';
import { time, usd } from '../format.js';
import { useKeys } from '../keys-data.js';

export function KeysPage({ api }: { api: Api }) {
  const { keys, reload } = useKeys(api);
  const [name, setName] = useState('');
  const [rpm, setRpm] = useState('');
  const [budget, setBudget] = useState('');
  const [accounts, setAccounts] = useState('');
  const [admin, setAdmin] = useState(false);
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
        ...(rpm ? { rpm: Number(rpm) } : {}),
        ...(budget ? { budgetUsd: Number(budget) } : {}),
        ...(accountList(accounts).length > 0 ? { accounts: accountList(accounts) } : {}),
      });
      setCreated(result);
      setCopied(false);
      setName('');
      setRpm('');
      setBudget('');
      setAccounts('');
      setAdmin(false);
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
    <form class="card" onSubmit=${create} aria-label="Create a key">
      <h2>Create a key</h2>
      <div class="filters">
        <label>Name <input name="name" required maxlength="64" value=${name} onInput=${(e: Event) => setName((e.target as HTMLInputElement).value)} /></label>
        <label>Requests per minute <input name="rpm" type="number" min="1" value=${rpm} onInput=${(e: Event) => setRpm((e.target as HTMLInputElement).value)} /></label>
        <label>Budget (USD) <input name="budget" type="number" min="0.01" step="0.01" value=${budget} onInput=${(e: Event) => setBudget((e.target as HTMLInputElement).value)} /></label>
        <label>Claude accounts <input name="accounts" placeholder="all" title="ACCOUNTS_FILE names, comma-separated; empty: every account" value=${accounts} onInput=${(e: Event) => setAccounts((e.target as HTMLInputElement).value)} /></label>
        <label class="check"><input type="checkbox" checked=${admin} onChange=${(e: Event) => setAdmin((e.target as HTMLInputElement).checked)} /> Admin</label>
        <button type="submit">Create</button>
      </div>
    </form>
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
          <td data-label="Limits">${[k.policy.rpm ? `${k.policy.rpm} rpm` : '', k.policy.concurrency ? `${k.policy.concurrency} at once` : '', k.policy.models?.length ? k.policy.models.join(', ') : '', k.policy.accounts?.length ? `accounts ${k.policy.accounts.join(', ')}` : ''].filter(Boolean).join(' · ') || 'none'}</td>
          <td data-label="Spend / budget">${usd(k.spentUsd)}${k.policy.budgetUsd !== undefined ? ` / ${usd(k.policy.budgetUsd)}` : ''}</td>
          <td data-label="Created">${time(k.createdAt)}</td>
          <td data-label="Status">${k.revokedAt ? 'revoked' : 'active'}</td>
          <td class="actions">${
            k.revokedAt
              ? ''
              : confirming === k.id
                ? html`<span class="confirm">Revoke ${k.name}? <button type="button" class="danger" onClick=${() => revoke(k.id)}>Confirm revoke</button> <button type="button" class="quiet" onClick=${() => setConfirming(undefined)}>Cancel</button></span>`
                : html`<button type="button" class="quiet" onClick=${() => setConfirming(k.id)}>Revoke</button>`
          }</td>
        </tr>`,
      )}</tbody>
    </table></div>
  </section>`;
}

/** The form's comma-separated account names. */
function accountList(value: string): string[] {
  return value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
}
