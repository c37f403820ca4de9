import type { ChartConfiguration } from 'chart.js';
import { html } from 'htm/preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { Api } from '../api.js';
import { ChartView, PALETTE } from '../chart.js';
import { isoDay, usd } from '../format.js';
import { useKeys } from '../keys-data.js';

interface UsageRow {
  keyId: string;
  keyName: string | null;
  day: string;
  requests: number;
  errors: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
}
export function UsagePage({ api }: { api: Api }) {
  const today = isoDay(Date.now());
  const [from, setFrom] = useState(isoDay(Date.now() - 6 * 86_400_000));
  const [to, setTo] = useState(today);
  const [key, setKey] = useState('');
  const [rows, setRows] = useState<UsageRow[]>([]);
  const [error, setError] = useState('');
  const { keys } = useKeys(api);
  const query = `from=${from}&to=${to}${key ? `&key=${encodeURIComponent(key)}` : ''}`;

  useEffect(() => {
    setError('');
    api
      .get<{ rows: UsageRow[] }>(`/usage?${query}`)
      .then((r) => setRows(r.rows))
      .catch((e: Error) => setError(e.message));
  }, [api, query]);

  const config = useMemo((): ChartConfiguration => {
    const days = [...new Set(rows.map((r) => r.day))].sort();
    const keyIds = [...new Set(rows.map((r) => r.keyId))];
    return {
      type: 'bar',
      data: {
        labels: days,
        datasets: keyIds.map((id, i) => ({
          label: rows.find((r) => r.keyId === id)?.keyName ?? id,
          data: days.map((d) => rows.find((r) => r.keyId === id && r.day === d)?.costUsd ?? 0),
          backgroundColor: PALETTE[i % PALETTE.length],
        })),
      },
      options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
    };
  }, [rows]);

  return html`<section aria-labelledby="usage-title">
    <h1 id="usage-title">Usage</h1>
    <form class="filters" onSubmit=${(e: Event) => e.preventDefault()}>
      <label>From <input type="date" value=${from} max=${to} onInput=${(e: Event) => setFrom((e.target as HTMLInputElement).value)} /></label>
      <label>To <input type="date" value=${to} min=${from} onInput=${(e: Event) => setTo((e.target as HTMLInputElement).value)} /></label>
      <label>Key
        <select value=${key} onChange=${(e: Event) => setKey((e.target as HTMLSelectElement).value)}>
          <option value="">All keys</option>
          ${keys.map((k) => html`<option value=${k.id}>${k.name}</option>`)}
        </select>
      </label>
      <a class="button" href=${`/console/api/usage.csv?${query}`} download>Export CSV</a>
    </form>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <${ChartView} title="Cost per key and day (USD)" config=${config} />
    <div class="table-wrap"><table>
      <thead><tr><th scope="col">Day</th><th scope="col">Key</th><th scope="col">Requests</th><th scope="col">Errors</th><th scope="col">Prompt tokens</th><th scope="col">Completion tokens</th><th scope="col">Cost</th></tr></thead>
      <tbody>${rows.map(
        (r) =>
          html`<tr><td>${r.day}</td><td>${r.keyName ?? r.keyId}</td><td>${r.requests}</td><td>${r.errors}</td><td>${r.promptTokens}</td><td>${r.completionTokens}</td><td>${usd(r.costUsd)}</td></tr>`,
      )}</tbody>
    </table></div>
    ${rows.length === 0 && html`<p class="muted">No requests in this range.</p>`}
  </section>`;
}
