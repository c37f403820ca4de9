import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import type { Api } from '../api.js';
import { ms, time, usd } from '../format.js';
import { useKeys } from '../keys-data.js';
import { DetailDialog } from '../widgets.js';

interface RequestRow {
  at: number;
  requestId: string;
  keyId: string;
  surface: string;
  method: string;
  path: string;
  model: string | null;
  stream: boolean;
  status: number;
  errorCode: string | null;
  running: boolean;
  durationMs: number;
  timeToFirstTokenMs: number | null;
  queueWaitMs: number | null;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  prompt?: string | null;
}

export function RequestsPage({ api }: { api: Api }) {
  const { keys } = useKeys(api);
  const [filters, setFilters] = useState({ key: '', surface: '', outcome: '', model: '' });
  const [page, setPage] = useState(1);
  const [result, setResult] = useState<{ rows: RequestRow[]; total: number; pageSize: number }>({
    rows: [],
    total: 0,
    pageSize: 50,
  });
  const [detail, setDetail] = useState<RequestRow | undefined>();
  const keyName = (id: string) => keys.find((k) => k.id === id)?.name ?? id;

  useEffect(() => {
    const query = new URLSearchParams({ page: String(page), pageSize: '25' });
    for (const [name, value] of Object.entries(filters)) if (value) query.set(name, value);
    api
      .get<{ rows: RequestRow[]; total: number; pageSize: number }>(`/requests?${query}`)
      .then(setResult)
      .catch(() => undefined);
  }, [api, filters, page]);
  const set = (name: keyof typeof filters) => (e: Event) => {
    setPage(1);
    setFilters({ ...filters, [name]: (e.target as HTMLInputElement).value });
  };
  const pages = Math.max(1, Math.ceil(result.total / result.pageSize));

  return html`<section aria-labelledby="requests-title">
    <h1 id="requests-title">Requests</h1>
    <form class="filters" onSubmit=${(e: Event) => e.preventDefault()}>
      <label>Key <select value=${filters.key} onChange=${set('key')}><option value="">All</option>${keys.map((k) => html`<option value=${k.id}>${k.name}</option>`)}</select></label>
      <label>Surface <select value=${filters.surface} onChange=${set('surface')}>
        <option value="">All</option>
        ${['openai-chat', 'openai-responses', 'openai-completions', 'anthropic-messages', 'native', 'tasks'].map((s) => html`<option value=${s}>${s}</option>`)}
      </select></label>
      <label>Outcome <select value=${filters.outcome} onChange=${set('outcome')}><option value="">All</option><option value="ok">OK</option><option value="error">Errors</option></select></label>
      <label>Model <input value=${filters.model} onChange=${set('model')} placeholder="any" /></label>
    </form>
    <p class="muted" data-total=${result.total}>${result.total} requests</p>
    <div class="table-wrap"><table class="clickable">
      <thead><tr><th scope="col">Time</th><th scope="col">Request id</th><th scope="col">Key</th><th scope="col">Surface</th><th scope="col">Model</th><th scope="col">Status</th><th scope="col">Duration</th><th scope="col">TTFT</th><th scope="col">Tokens</th><th scope="col">Cost</th></tr></thead>
      <tbody>${result.rows.map(
        (
          r,
        ) => html`<tr tabindex="0" data-request=${r.requestId} onClick=${() => setDetail(r)} onKeyDown=${(e: KeyboardEvent) => e.key === 'Enter' && setDetail(r)}>
          <td>${time(r.at)}</td><td><code>${r.requestId.slice(0, 12)}</code></td><td>${keyName(r.keyId)}</td><td>${r.surface}</td><td>${r.model ?? '–'}</td>
          <td class=${r.status >= 400 ? 'bad' : ''}>${statusOf(r)}</td>
          <td>${ms(r.durationMs)}</td><td>${ms(r.timeToFirstTokenMs)}</td><td>${r.promptTokens} / ${r.completionTokens}</td><td>${usd(r.costUsd)}</td>
        </tr>`,
      )}</tbody>
    </table></div>
    <nav class="pager" aria-label="Pages">
      <button type="button" disabled=${page <= 1} onClick=${() => setPage(page - 1)}>Previous</button>
      <span>Page ${page} of ${pages}</span>
      <button type="button" disabled=${page >= pages} onClick=${() => setPage(page + 1)}>Next</button>
    </nav>
    ${detail && html`<${RequestDetail} api=${api} row=${detail} keyName=${keyName(detail.keyId)} onClose=${() => setDetail(undefined)} />`}
  </section>`;
}

function RequestDetail({
  api,
  row,
  keyName,
  onClose,
}: {
  api: Api;
  row: RequestRow;
  keyName: string;
  onClose: () => void;
}) {
  const [full, setFull] = useState<RequestRow>(row);
  useEffect(() => {
    api
      .get<RequestRow>(`/requests/${encodeURIComponent(row.requestId)}`)
      .then(setFull)
      .catch(() => undefined);
  }, [api, row.requestId]);
  const fields: Array<[string, string]> = [
    ['Request id', full.requestId],
    ['Time', time(full.at)],
    ['Key', keyName],
    ['Surface', full.surface],
    ['Route', `${full.method} ${full.path}`],
    ['Model', full.model ?? '–'],
    ['Streamed', full.stream ? 'yes' : 'no'],
    ['Status', full.running ? 'running' : `${full.status}${full.errorCode ? ` (${full.errorCode})` : ''}`],
    ['Duration', ms(full.durationMs)],
    ['Time to first token', ms(full.timeToFirstTokenMs)],
    ['Queue wait', ms(full.queueWaitMs)],
    ['Prompt / completion tokens', `${full.promptTokens} / ${full.completionTokens}`],
    ['Cost', usd(full.costUsd)],
  ];
  return html`<${DetailDialog} label="Request details" heading="Request details" onClose=${onClose}>
    <dl>${fields.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
    ${full.prompt ? html`<h3>Prompt (AUDIT_PROMPTS)</h3><pre>${full.prompt}</pre>` : ''}
  <//>`;
}

/** A run still going has no status yet. */
function statusOf(row: RequestRow): string {
  if (row.running) return 'running';
  return `${row.status}${row.errorCode ? ` ${row.errorCode}` : ''}`;
}
