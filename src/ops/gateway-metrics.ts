import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { FinishedRequest } from '../contract/finished-request.js';
import { GatewayError } from '../contract/gateway-error.js';
import { promptTokensOf } from '../contract/run-events.js';

export interface MetricsSources {
  liveProcesses: () => number;
  queueRunning: () => number;
  queueWaiting: () => number;
  /** The pooled Claude accounts as operators see them (read on scrape); absent without ACCOUNTS_FILE. */
  accounts?: () => Promise<readonly AccountGaugeSource[]>;
}

/** What the per-account gauges show of one account (never a credential). */
export interface AccountGaugeSource {
  name: string;
  status: string;
  running: number;
  utilization: number | null;
}

const ACCOUNT_STATUSES = ['usable', 'limited', 'unauthorized', 'failing'];

export interface GatewayMetrics {
  readonly registry: Registry;
  /** Counts and times every HTTP request; install it outermost so 401s and 404s are seen too. */
  readonly httpMiddleware: MiddlewareHandler;
  /** Records a finished request that may have run Claude Code: runs, tokens, cost, stream errors. */
  observeRequest(request: FinishedRequest): void;
}

const PREFIX = 'claude_gateway_';
const LATENCY_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600];
const FIRST_TOKEN_BUCKETS = [0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30];

/** Every metric lives in this gateway's own Registry: no global default registry, no shared state. */
export function createGatewayMetrics(sources: MetricsSources): GatewayMetrics {
  const registry = new Registry();
  const registers = [registry];

  const httpRequests = new Counter({
    name: `${PREFIX}http_requests_total`,
    help: 'HTTP requests by method, route and status.',
    labelNames: ['method', 'route', 'status'] as const,
    registers,
  });
  const httpDuration = new Histogram({
    name: `${PREFIX}http_request_duration_seconds`,
    help: 'Time until the response headers were ready (for streams, the first chunk), by route.',
    labelNames: ['method', 'route'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const errors = new Counter({
    name: `${PREFIX}errors_total`,
    help: 'Failed requests by error kind (the OpenAI error code, or type when there is none).',
    labelNames: ['kind'] as const,
    registers,
  });
  const runs = new Counter({
    name: `${PREFIX}runs_total`,
    help: 'Claude Code runs by model and outcome.',
    labelNames: ['model', 'outcome', 'surface'] as const,
    registers,
  });
  const aheadOfClaim = new Counter({
    name: `${PREFIX}turns_ahead_of_claim_total`,
    help: "Turns sent to their session's live process before the shared index answered the claim, by how the claim turned out (confirmed: the turn went on; superseded: the process was ended unheard and the run started over).",
    labelNames: ['outcome'] as const,
    registers,
  });
  const runDuration = new Histogram({
    name: `${PREFIX}run_duration_seconds`,
    help: 'Claude Code run duration (after the queue), by model.',
    labelNames: ['model'] as const,
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const firstToken = new Histogram({
    name: `${PREFIX}time_to_first_token_seconds`,
    help: 'From the start of a run to the first chunk sent to the client, by model.',
    labelNames: ['model'] as const,
    buckets: FIRST_TOKEN_BUCKETS,
    registers,
  });
  const queueWait = new Histogram({
    name: `${PREFIX}queue_wait_seconds`,
    help: 'Time a run waited for a Claude Code slot.',
    buckets: LATENCY_BUCKETS,
    registers,
  });
  const tokens = new Counter({
    name: `${PREFIX}tokens_total`,
    help: 'Tokens reported by Claude Code, by model and kind (prompt, completion).',
    labelNames: ['model', 'kind', 'surface'] as const,
    registers,
  });
  const cost = new Counter({
    name: `${PREFIX}cost_usd_total`,
    help: "Claude Code's reported cost in USD, by model.",
    labelNames: ['model', 'surface'] as const,
    registers,
  });
  new Gauge({
    name: `${PREFIX}cli_processes`,
    help: 'Live Claude Code processes.',
    registers,
    collect() {
      this.set(sources.liveProcesses());
    },
  });
  new Gauge({
    name: `${PREFIX}queue_depth`,
    help: 'Runs holding a Claude Code slot (state=running) and waiting for one (state=waiting).',
    labelNames: ['state'] as const,
    registers,
    collect() {
      this.set({ state: 'running' }, sources.queueRunning());
      this.set({ state: 'waiting' }, sources.queueWaiting());
    },
  });

  const account = accountMetrics(registers, sources.accounts);

  const httpMiddleware: MiddlewareHandler = async function metricsMiddleware(c, next) {
    const started = performance.now();
    await next();
    const route = routeLabel(c);
    const status = c.res.status;
    httpRequests.inc({ method: c.req.method, route, status: String(status) });
    httpDuration.observe({ method: c.req.method, route }, (performance.now() - started) / 1000);
    if (status >= 400) errors.inc({ kind: errorKind(c, status) });
  };

  return {
    registry,
    httpMiddleware,
    observeRequest(request) {
      // An error after the first byte travels inside a 200 stream; the HTTP counters cannot see it.
      if (request.stream && request.status >= 400) errors.inc({ kind: request.errorCode ?? 'stream_error' });
      const summary = request.summary;
      if (!summary) return;
      const model = summary.model;
      // Which wire the run came in on (openai-chat, anthropic-messages, …).
      const surface = summary.surface ?? 'unknown';
      runs.inc({ model, outcome: summary.outcome, surface });
      runDuration.observe({ model }, summary.durationMs / 1000);
      queueWait.observe(summary.queueWaitMs / 1000);
      if (summary.aheadOfClaim) aheadOfClaim.inc({ outcome: summary.aheadOfClaim });
      if (summary.timeToFirstChunkMs !== undefined) {
        firstToken.observe({ model }, summary.timeToFirstChunkMs / 1000);
      }
      if (summary.usage) {
        tokens.inc({ model, kind: 'prompt', surface }, promptTokensOf(summary.usage));
        tokens.inc({ model, kind: 'completion', surface }, summary.usage.outputTokens);
      }
      if (summary.costUsd > 0) cost.inc({ model, surface }, summary.costUsd);
      account.observe(summary);
    },
  };
}

/** Runs, tokens and cost by the account that answered; its status, runs and utilisation on scrape. */
function accountMetrics(registers: Registry[], read: MetricsSources['accounts']) {
  // One read serves the three gauges of a scrape.
  let last: { at: number; accounts: Promise<readonly AccountGaugeSource[]> } | undefined;
  const source = read
    ? () => {
        if (!last || performance.now() - last.at > 1_000) last = { at: performance.now(), accounts: read() };
        return last.accounts;
      }
    : undefined;
  const runs = new Counter({
    name: `${PREFIX}account_runs_total`,
    help: 'Claude Code runs by the pooled account that answered (ACCOUNTS_FILE name) and outcome.',
    labelNames: ['account', 'outcome'] as const,
    registers,
  });
  const tokens = new Counter({
    name: `${PREFIX}account_tokens_total`,
    help: 'Tokens by pooled account and kind (prompt, completion).',
    labelNames: ['account', 'kind'] as const,
    registers,
  });
  const cost = new Counter({
    name: `${PREFIX}account_cost_usd_total`,
    help: "Claude Code's reported cost in USD, by pooled account.",
    labelNames: ['account'] as const,
    registers,
  });
  if (source) {
    new Gauge({
      name: `${PREFIX}account_status`,
      help: "Each pooled account's status: 1 for the one it is in (usable, limited, unauthorized, failing).",
      labelNames: ['account', 'status'] as const,
      registers,
      async collect() {
        for (const account of await source()) {
          for (const status of ACCOUNT_STATUSES) {
            this.set({ account: account.name, status }, account.status === status ? 1 : 0);
          }
        }
      },
    });
    new Gauge({
      name: `${PREFIX}account_running`,
      help: 'Runs on each pooled account now, on every gateway sharing the store.',
      labelNames: ['account'] as const,
      registers,
      async collect() {
        for (const account of await source()) this.set({ account: account.name }, account.running);
      },
    });
    new Gauge({
      name: `${PREFIX}account_utilization`,
      help: "Share of each subscription's usage window spent, as Claude Code last reported it (0-1).",
      labelNames: ['account'] as const,
      registers,
      async collect() {
        for (const account of await source()) {
          if (account.utilization !== null) this.set({ account: account.name }, account.utilization);
        }
      },
    });
  }
  return {
    observe(summary: NonNullable<FinishedRequest['summary']>) {
      if (summary.account === undefined) return;
      const label = { account: summary.account };
      runs.inc({ ...label, outcome: summary.outcome });
      if (summary.usage) {
        tokens.inc({ ...label, kind: 'prompt' }, promptTokensOf(summary.usage));
        tokens.inc({ ...label, kind: 'completion' }, summary.usage.outputTokens);
      }
      if (summary.costUsd > 0) cost.inc(label, summary.costUsd);
    },
  };
}

/** The route pattern, never the raw path, so label values stay few (ids in paths would explode them). */
function routeLabel(c: Context): string {
  const handler = matchedRoutes(c).findLast((route) => route.method !== 'ALL');
  return handler?.path ?? 'unmatched';
}

function errorKind(c: Context, status: number): string {
  // Errors without a code are labelled by kind (`invalid_request_error`), whatever wire rendered them.
  if (c.error instanceof GatewayError) return c.error.code ?? `${c.error.kind}_error`;
  if (c.error) return 'internal_error';
  return status === 404 ? 'unknown_url' : `http_${status}`;
}
