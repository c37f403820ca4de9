import { html } from 'htm/preact';
import { useCallback, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Api } from '../api.js';
import { ChartView } from '../chart.js';
import { ms, percent, usd } from '../format.js';
import { type Bucket, overviewCharts } from '../overview-charts.js';
import { Tile } from '../widgets.js';

interface Totals {
  requests: number;
  errors: number;
  refused: number;
  errorRate: number;
  refusedRate: number;
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
interface Overview {
  window: 'hour' | 'day';
  bucketMs: number;
  totals: Totals;
  series: Bucket[];
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

  const charts = useMemo(
    () => (overview ? overviewCharts(overview.series, overview.bucketMs) : []),
    [overview],
  );

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
        <${Tile} id="refused" label="Refused (429)" value=${overview.totals.refused} />
        <${Tile} id="ttft-p50" label="TTFT p50" value=${ms(overview.totals.ttftP50Ms)} />
        <${Tile} id="ttft-p95" label="TTFT p95" value=${ms(overview.totals.ttftP95Ms)} />
        <${Tile} id="cost" label="Cost" value=${usd(overview.totals.costUsd)} />
      </div>`
    }
    <div class="charts">${charts.map(([title, config]) => html`<${ChartView} key=${title} title=${title} config=${config} />`)}</div>
  </section>`;
}
