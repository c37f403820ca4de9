import type { ChartConfiguration } from 'chart.js';
import { html } from 'htm/preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Api } from './api.js';
import { ChartView, PALETTE } from './chart.js';
import { clock, isoDay, ms, percent, time, usd } from './format.js';
import { partsOf, type StreamPart, type Surface, splitFrames } from './stream-parts.js';

interface Totals {
  requests: number;
  errors: number;
  errorRate: number;
  costUsd: number;
  ttftP50Ms: number | null;
  ttftP95Ms: number | null;
}
interface Live {
  at: number;
  running: number;
  waiting: number;
  processes: number;
  warmSpares: number;
  hotConversations: number;
  lastHour: Totals;
}
interface Bucket {
  at: number;
  requests: number;
  errors: number;
  costUsd: number;
  ttftP50Ms: number | null;
  ttftP95Ms: number | null;
}
interface Overview {
  window: 'hour' | 'day';
  bucketMs: number;
  totals: Totals;
  series: Bucket[];
}

function Tile({ label, value, id }: { label: string; value: string | number; id: string }) {
  return html`<div class="tile"><span class="tile-label">${label}</span><strong data-stat=${id}>${value}</strong></div>`;
}

export function OverviewPage({ api }: { api: Api }) {
  const [live, setLive] = useState<Live | undefined>();
  const [window, setWindow] = useState<'hour' | 'day'>('hour');
  const [overview, setOverview] = useState<Overview | undefined>();
  const [error, setError] = useState('');
  const seen = useRef(-1);

  const load = useCallback(() => {
    api
      .get<Overview>(`/overview?window=${window}`)
      .then(setOverview)
      .catch((e: Error) => setError(e.message));
  }, [api, window]);
  useEffect(load, [load]);

  useEffect(() => {
    // Pushed by the gateway every couple of seconds; charts reload when the request count moves.
    const source = new EventSource('/console/api/live');
    source.addEventListener('live', (event) => {
      const next = JSON.parse((event as MessageEvent<string>).data) as Live;
      setLive(next);
      if (seen.current !== -1 && next.lastHour.requests !== seen.current) load();
      seen.current = next.lastHour.requests;
    });
    return () => source.close();
  }, [load]);

  const labels = useMemo(() => overview?.series.map((b) => clock(b.at)) ?? [], [overview]);
  const charts = useMemo((): Array<[string, ChartConfiguration]> => {
    if (!overview) return [];
    const s = overview.series;
    const per = overview.bucketMs === 60_000 ? 'minute' : '15 minutes';
    return [
      [
        `Requests per ${per}`,
        {
          type: 'bar',
          data: {
            labels,
            datasets: [
              { label: 'requests', data: s.map((b) => b.requests), backgroundColor: PALETTE[0] },
              { label: 'errors', data: s.map((b) => b.errors), backgroundColor: PALETTE[3] },
            ],
          },
        },
      ],
      [
        'Error rate (%)',
        {
          type: 'line',
          data: {
            labels,
            datasets: [
              {
                label: 'error rate',
                data: s.map((b) => (b.requests ? (100 * b.errors) / b.requests : 0)),
                borderColor: PALETTE[3],
              },
            ],
          },
        },
      ],
      [
        'Time to first token (ms)',
        {
          type: 'line',
          data: {
            labels,
            datasets: [
              { label: 'p50', data: s.map((b) => b.ttftP50Ms), borderColor: PALETTE[0], spanGaps: true },
              { label: 'p95', data: s.map((b) => b.ttftP95Ms), borderColor: PALETTE[1], spanGaps: true },
            ],
          },
        },
      ],
      [
        'Cost (USD)',
        {
          type: 'bar',
          data: {
            labels,
            datasets: [{ label: 'cost', data: s.map((b) => b.costUsd), backgroundColor: PALETTE[2] }],
          },
        },
      ],
    ];
  }, [overview, labels]);

  return html`<section aria-labelledby="overview-title">
    <h1 id="overview-title">Overview</h1>
    <h2>Now</h2>
    <div class="tiles" aria-live="polite">
      <${Tile} id="running" label="Running runs" value=${live?.running ?? '…'} />
      <${Tile} id="waiting" label="Queued" value=${live?.waiting ?? '…'} />
      <${Tile} id="processes" label="Claude Code processes" value=${live?.processes ?? '…'} />
      <${Tile} id="spares" label="Warm spares" value=${live?.warmSpares ?? '…'} />
      <${Tile} id="hot" label="Hot conversations" value=${live?.hotConversations ?? '…'} />
    </div>
    <div class="row">
      <h2>Last ${window}</h2>
      <div class="segmented" role="group" aria-label="Window">
        <button type="button" aria-pressed=${window === 'hour'} onClick=${() => setWindow('hour')}>Hour</button>
        <button type="button" aria-pressed=${window === 'day'} onClick=${() => setWindow('day')}>Day</button>
      </div>
    </div>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    ${
      overview &&
      html`<div class="tiles">
        <${Tile} id="requests" label="Requests" value=${overview.totals.requests} />
        <${Tile} id="error-rate" label="Error rate" value=${percent(overview.totals.errorRate)} />
        <${Tile} id="ttft-p50" label="TTFT p50" value=${ms(overview.totals.ttftP50Ms)} />
        <${Tile} id="ttft-p95" label="TTFT p95" value=${ms(overview.totals.ttftP95Ms)} />
        <${Tile} id="cost" label="Cost" value=${usd(overview.totals.costUsd)} />
      </div>`
    }
    <div class="charts">${charts.map(([title, config]) => html`<${ChartView} key=${title} title=${title} config=${config} />`)}</div>
  </section>`;
}

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
interface KeyView {
  id: string;
  name: string;
  prefix: string;
  admin: boolean;
  policy: { rpm?: number; concurrency?: number; budgetUsd?: number; models?: string[]; profile?: string };
  spentUsd: number;
  createdAt: number;
  revokedAt: number | null;
}

function useKeys(api: Api) {
  const [keys, setKeys] = useState<KeyView[]>([]);
  const reload = useCallback(() => {
    api
      .get<{ keys: KeyView[] }>('/keys')
      .then((r) => setKeys(r.keys))
      .catch(() => setKeys([]));
  }, [api]);
  useEffect(reload, [reload]);
  return { keys, reload };
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

export function KeysPage({ api }: { api: Api }) {
  const { keys, reload } = useKeys(api);
  const [name, setName] = useState('');
  const [rpm, setRpm] = useState('');
  const [budget, setBudget] = useState('');
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
      });
      setCreated(result);
      setCopied(false);
      setName('');
      setRpm('');
      setBudget('');
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
    <div class="table-wrap"><table>
      <thead><tr><th scope="col">Name</th><th scope="col">Prefix</th><th scope="col">Limits</th><th scope="col">Spend / budget</th><th scope="col">Created</th><th scope="col">Status</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
      <tbody>${keys.map(
        (k) => html`<tr data-key=${k.name}>
          <td>${k.name}${k.admin ? html` <span class="badge">admin</span>` : ''}${k.policy.profile ? html` <span class="badge">${k.policy.profile}</span>` : ''}</td>
          <td><code>${k.prefix}…</code></td>
          <td>${[k.policy.rpm ? `${k.policy.rpm} rpm` : '', k.policy.concurrency ? `${k.policy.concurrency} at once` : '', k.policy.models?.length ? k.policy.models.join(', ') : ''].filter(Boolean).join(' · ') || 'none'}</td>
          <td>${usd(k.spentUsd)}${k.policy.budgetUsd !== undefined ? ` / ${usd(k.policy.budgetUsd)}` : ''}</td>
          <td>${time(k.createdAt)}</td>
          <td>${k.revokedAt ? 'revoked' : 'active'}</td>
          <td>${
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
          <td class=${r.status >= 400 ? 'bad' : ''}>${r.status}${r.errorCode ? ` ${r.errorCode}` : ''}</td>
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
  const closeButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    closeButton.current?.focus();
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
    ['Status', `${full.status}${full.errorCode ? ` (${full.errorCode})` : ''}`],
    ['Duration', ms(full.durationMs)],
    ['Time to first token', ms(full.timeToFirstTokenMs)],
    ['Queue wait', ms(full.queueWaitMs)],
    ['Prompt / completion tokens', `${full.promptTokens} / ${full.completionTokens}`],
    ['Cost', usd(full.costUsd)],
  ];
  return html`<aside class="card detail" aria-label="Request details" onKeyDown=${(e: KeyboardEvent) => e.key === 'Escape' && onClose()}>
    <div class="row"><h2>Request details</h2><button type="button" ref=${closeButton} class="quiet" onClick=${onClose}>Close</button></div>
    <dl>${fields.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
    ${full.prompt ? html`<h3>Prompt (AUDIT_PROMPTS)</h3><pre>${full.prompt}</pre>` : ''}
  </aside>`;
}

export function PlaygroundPage({
  api,
  models,
  surfaces,
}: {
  api: Api;
  models: string[];
  surfaces: Surface[];
}) {
  const [surface, setSurface] = useState<Surface>(surfaces[0] ?? 'openai-chat');
  const [model, setModel] = useState(models[0] ?? '');
  const [system, setSystem] = useState('');
  const [message, setMessage] = useState('');
  const [answer, setAnswer] = useState({ text: '', reasoning: '', tools: '', error: '' });
  const [stats, setStats] = useState<{
    ttftMs?: number;
    totalMs?: number;
    costUsd?: number;
    requestId?: string;
  }>({});
  const [running, setRunning] = useState(false);
  const abort = useRef<AbortController | undefined>(undefined);

  const send = async (event: Event) => {
    event.preventDefault();
    if (!message.trim() || running) return;
    const controller = new AbortController();
    abort.current = controller;
    setRunning(true);
    setAnswer({ text: '', reasoning: '', tools: '', error: '' });
    setStats({});
    const started = performance.now();
    let first: number | undefined;
    const acc = { text: '', reasoning: '', tools: '', error: '' };
    try {
      const response = await api.stream(
        '/playground',
        { surface, model, system, message },
        controller.signal,
      );
      const requestId = response.headers.get('x-playground-request-id') ?? undefined;
      const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      while (reader) {
        const { done, value } = await reader.read();
        if (done) break;
        const { frames, rest } = splitFrames(buffer + value);
        buffer = rest;
        for (const frame of frames) {
          for (const part of partsOf(surface, frame.data)) {
            if (first === undefined && part.kind !== 'error') first = performance.now() - started;
            add(acc, part);
          }
        }
        setAnswer({ ...acc });
        if (first !== undefined) setStats((s) => ({ ...s, ttftMs: first }));
      }
      const totalMs = performance.now() - started;
      setStats((s) => ({ ...s, totalMs, ...(requestId ? { requestId } : {}) }));
      if (requestId)
        void costOf(api, requestId).then((costUsd) =>
          setStats((s) => ({ ...s, ...(costUsd !== undefined ? { costUsd } : {}) })),
        );
    } catch (e) {
      if (!controller.signal.aborted) setAnswer({ ...acc, error: (e as Error).message });
    } finally {
      setRunning(false);
    }
  };

  return html`<section aria-labelledby="playground-title">
    <h1 id="playground-title">Playground</h1>
    <form class="card playground" onSubmit=${send}>
      <div class="filters">
        <label>Surface <select name="surface" value=${surface} onChange=${(e: Event) => setSurface((e.target as HTMLSelectElement).value as Surface)}>${surfaces.map((s) => html`<option value=${s}>${s}</option>`)}</select></label>
        <label>Model <select name="model" value=${model} onChange=${(e: Event) => setModel((e.target as HTMLSelectElement).value)}>${models.map((m) => html`<option value=${m}>${m}</option>`)}</select></label>
      </div>
      <label>System prompt <textarea name="system" rows="2" value=${system} onInput=${(e: Event) => setSystem((e.target as HTMLTextAreaElement).value)}></textarea></label>
      <label>Message <textarea name="message" rows="4" required value=${message} onInput=${(e: Event) => setMessage((e.target as HTMLTextAreaElement).value)}></textarea></label>
      <div class="row">
        <button type="submit" disabled=${running}>${running ? 'Streaming…' : 'Send'}</button>
        ${running && html`<button type="button" class="quiet" onClick=${() => abort.current?.abort()}>Stop</button>`}
      </div>
    </form>
    <div class="stats" aria-live="polite">
      <span>Time to first token: <strong data-stat="playground-ttft">${ms(stats.ttftMs)}</strong></span>
      <span>Total: <strong>${ms(stats.totalMs)}</strong></span>
      <span>Cost: <strong data-stat="playground-cost">${stats.costUsd === undefined ? '–' : usd(stats.costUsd)}</strong></span>
    </div>
    ${answer.reasoning && html`<details open class="card reasoning"><summary>Reasoning</summary><pre data-output="reasoning">${answer.reasoning}</pre></details>`}
    ${answer.tools && html`<details open class="card tools"><summary>Tool activity</summary><pre data-output="tools">${answer.tools}</pre></details>`}
    <div class="card answer"><h2>Answer</h2><pre data-output="answer">${answer.text}</pre></div>
    ${answer.error && html`<p class="error" role="alert">${answer.error}</p>`}
  </section>`;
}

function add(acc: { text: string; reasoning: string; tools: string; error: string }, part: StreamPart): void {
  if (part.kind === 'text') acc.text += part.text;
  else if (part.kind === 'reasoning') acc.reasoning += part.text;
  else if (part.kind === 'tool') acc.tools += part.text;
  else acc.error = part.text;
}

/** The audit row is written when the run has ended; ask a few times. */
async function costOf(api: Api, requestId: string): Promise<number | undefined> {
  for (let attempt = 0; attempt < 10; attempt++) {
    const row = await api
      .get<{ costUsd: number }>(`/requests/${encodeURIComponent(requestId)}`)
      .catch(() => undefined);
    if (row) return row.costUsd;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  return undefined;
}

interface SessionView {
  sessionId: string;
  keyId: string;
  model: string;
  createdAt: number;
  lastActivityAt: number;
  expiresAt: number;
  messageCount: number;
  costUsd: number;
  agent: boolean;
}
interface SessionMessage {
  role: 'user' | 'assistant';
  content: string;
  at: number;
}

export function SessionsPage({ api }: { api: Api }) {
  const { keys } = useKeys(api);
  const [sessions, setSessions] = useState<SessionView[]>([]);
  const [open, setOpen] = useState<{ id: string; messages: SessionMessage[] } | undefined>();
  const keyName = (id: string) => keys.find((k) => k.id === id)?.name ?? id;
  useEffect(() => {
    api
      .get<{ sessions: SessionView[] }>('/sessions')
      .then((r) => setSessions(r.sessions))
      .catch(() => undefined);
  }, [api]);
  const show = (id: string) =>
    api
      .get<{ messages: SessionMessage[] }>(`/sessions/${encodeURIComponent(id)}/messages`)
      .then((r) => setOpen({ id, messages: r.messages }))
      .catch(() => setOpen(undefined));

  return html`<section aria-labelledby="sessions-title">
    <h1 id="sessions-title">Sessions</h1>
    <p class="muted">Native API sessions (<code>/api/v1/sessions</code>) of every key.</p>
    <div class="table-wrap"><table class="clickable">
      <thead><tr><th scope="col">Session</th><th scope="col">Key</th><th scope="col">Model</th><th scope="col">Messages</th><th scope="col">Last activity</th><th scope="col">Expires</th><th scope="col">Cost</th></tr></thead>
      <tbody>${sessions.map(
        (
          s,
        ) => html`<tr tabindex="0" data-session=${s.sessionId} onClick=${() => show(s.sessionId)} onKeyDown=${(e: KeyboardEvent) => e.key === 'Enter' && show(s.sessionId)}>
          <td><code>${s.sessionId.slice(0, 13)}</code>${s.agent ? html` <span class="badge">agent</span>` : ''}</td><td>${keyName(s.keyId)}</td><td>${s.model}</td>
          <td>${s.messageCount}</td><td>${time(s.lastActivityAt)}</td><td>${time(s.expiresAt)}</td><td>${usd(s.costUsd)}</td>
        </tr>`,
      )}</tbody>
    </table></div>
    ${sessions.length === 0 && html`<p class="muted">No sessions.</p>`}
    ${
      open &&
      html`<aside class="card detail" aria-label="Session history">
        <div class="row"><h2>History of <code>${open.id.slice(0, 13)}</code></h2><button type="button" class="quiet" onClick=${() => setOpen(undefined)}>Close</button></div>
        <ol class="history">${open.messages.map(
          (m) =>
            html`<li data-role=${m.role}><span class="muted">${m.role} · ${time(m.at)}</span><pre>${m.content}</pre></li>`,
        )}</ol>
      </aside>`
    }
  </section>`;
}

interface TaskView {
  taskId: string;
  keyId: string;
  status: 'running' | 'completed' | 'failed' | 'cancelled' | 'timeout';
  prompt: string;
  createdAt: number;
  updatedAt: number;
  costUsd: number | null;
}

export function TasksPage({ api }: { api: Api }) {
  const { keys } = useKeys(api);
  const [tasks, setTasks] = useState<TaskView[]>([]);
  const [confirming, setConfirming] = useState<string | undefined>();
  const [error, setError] = useState('');
  const keyName = (id: string) => keys.find((k) => k.id === id)?.name ?? id;
  const reload = useCallback(() => {
    api
      .get<{ tasks: TaskView[] }>('/tasks')
      .then((r) => setTasks(r.tasks))
      .catch(() => undefined);
  }, [api]);
  useEffect(() => {
    reload();
    // Running tasks change state on their own; refresh while the page is open.
    const timer = setInterval(reload, 3_000);
    return () => clearInterval(timer);
  }, [reload]);
  const cancel = async (id: string) => {
    setError('');
    await api.send('DELETE', `/tasks/${encodeURIComponent(id)}`).catch((e: Error) => setError(e.message));
    setConfirming(undefined);
    reload();
  };
  return html`<section aria-labelledby="tasks-title">
    <h1 id="tasks-title">Tasks</h1>
    <p class="muted">Agentic tasks (<code>/api/v1/tasks</code>) of every key, newest first.</p>
    ${error && html`<p class="error" role="alert">${error}</p>`}
    <div class="table-wrap"><table>
      <thead><tr><th scope="col">Task</th><th scope="col">Key</th><th scope="col">Status</th><th scope="col">Prompt</th><th scope="col">Started</th><th scope="col">Cost</th><th scope="col"><span class="sr-only">Actions</span></th></tr></thead>
      <tbody>${tasks.map(
        (t) => html`<tr data-task=${t.taskId}>
          <td><code>${t.taskId.slice(0, 14)}</code></td><td>${keyName(t.keyId)}</td>
          <td class=${t.status === 'failed' || t.status === 'timeout' ? 'bad' : ''} data-status>${t.status}</td>
          <td class="prompt">${t.prompt}</td><td>${time(t.createdAt)}</td><td>${t.costUsd === null ? '–' : usd(t.costUsd)}</td>
          <td>${
            t.status !== 'running'
              ? ''
              : confirming === t.taskId
                ? html`<span class="confirm">Cancel it? <button type="button" class="danger" onClick=${() => cancel(t.taskId)}>Confirm cancel</button> <button type="button" class="quiet" onClick=${() => setConfirming(undefined)}>Keep running</button></span>`
                : html`<button type="button" class="quiet" onClick=${() => setConfirming(t.taskId)}>Cancel</button>`
          }</td>
        </tr>`,
      )}</tbody>
    </table></div>
    ${tasks.length === 0 && html`<p class="muted">No tasks.</p>`}
  </section>`;
}
