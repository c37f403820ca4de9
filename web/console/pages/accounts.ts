import type { ChartConfiguration } from 'chart.js';
import { html } from 'htm/preact';
import { useCallback, useEffect, useMemo, useState } from 'preact/hooks';
import type { Api } from '../api.js';
import { ChartView, PALETTE } from '../chart.js';
import { isoDay, percent, time, usd } from '../format.js';

interface AccountView {
  name: string;
  kind: string;
  status: 'usable' | 'limited' | 'unauthorized' | 'failing';
  resetsAt: string | null;
  utilization: number | null;
  running: number;
  lastErrorCode: string | null;
  maxConcurrency: number | null;
  today: {
    requests: number;
    errors: number;
    promptTokens: number;
    completionTokens: number;
    costUsd: number;
  };
}

interface AccountDay {
  account: string | null;
  day: string;
  requests: number;
  costUsd: number;
}

/** The pooled Claude accounts (ACCOUNTS_FILE): their state on every gateway, and a week of use each. */
export function AccountsPage({ api }: { api: Api }) {
  const [accounts, setAccounts] = useState<AccountView[]>([]);
  const [days, setDays] = useState<AccountDay[]>([]);
  const [error, setError] = useState('');
  const reload = useCallback(() => {
    api
      .get<{ accounts: AccountView[] }>('/accounts')
      .then((r) => setAccounts(r.accounts))
      .catch((e: Error) => setError(e.message));
    const from = isoDay(Date.now() - 6 * 86_400_000);
    api
      .get<{ rows: AccountDay[] }>(`/accounts/usage?from=${from}`)
      .then((r) => setDays(r.rows.filter((row) => row.account !== null)))
      .catch((e: Error) => setError(e.message));
  }, [api]);
  useEffect(reload, [reload]);

  const clear = async (name: string) => {
    setError('');
    await api
      .send('POST', `/accounts/${encodeURIComponent(name)}/clear`)
      .catch((e: Error) => setError(e.message));
    reload();
  };

  const config = useMemo((): ChartConfiguration => {
    const labels = [...new Set(days.map((d) => d.day))].sort();
    const names = accounts.map((a) => a.name);
    return {
      type: 'bar',
      data: {
        labels,
        datasets: names.map((name, i) => ({
          label: name,
          data: labels.map((day) => days.find((d) => d.account === name && d.day === day)?.requests ?? 0),
          backgroundColor: PALETTE[i % PALETTE.length],
        })),
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
    };
  }, [accounts, days]);

  return html`<section aria-labelledby="accounts-title">
    <h1 id="accounts-title">Accounts</h1>
    <p class="muted">The Claude accounts runs go to, as every gateway sharing the store sees them. Credentials are never shown.</p>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <div class="table-wrap"><table class="reflow">
      <thead><tr><th scope="col">Name</th><th scope="col">Kind</th><th scope="col">Status</th><th scope="col">Resets</th><th scope="col">Used</th><th scope="col">Running</th><th scope="col">Last error</th><th scope="col">Today</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
      <tbody>${accounts.map(
        (a) => html`<tr data-account=${a.name}>
          <td data-label="Name">${a.name}</td>
          <td data-label="Kind">${a.kind}</td>
          <td data-label="Status" class=${a.status === 'usable' ? '' : 'bad'}>${a.status}</td>
          <td data-label="Resets">${a.resetsAt ? time(Date.parse(a.resetsAt)) : '–'}</td>
          <td data-label="Used">${a.utilization === null ? '–' : percent(a.utilization)}</td>
          <td data-label="Running">${a.running}${a.maxConcurrency ? ` / ${a.maxConcurrency}` : ''}</td>
          <td data-label="Last error">${a.lastErrorCode ?? '–'}</td>
          <td data-label="Today">${a.today.requests} req · ${a.today.promptTokens + a.today.completionTokens} tokens · ${usd(a.today.costUsd)}</td>
          <td class="actions">${
            a.status === 'usable'
              ? ''
              : html`<button type="button" class="quiet" onClick=${() => clear(a.name)}>Clear</button>`
          }</td>
        </tr>`,
      )}</tbody>
    </table></div>
    <${ChartView} title="Requests per account and day" config=${config} />
  </section>`;
}
