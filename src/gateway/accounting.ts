import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { BackgroundRunHooks, BeginRequest, FinishedRequest } from '../contract/finished-request.js';
import type { Principal } from '../contract/key-policy.js';
import type { RunSummary } from '../contract/run-service.js';
import { auditRecorder } from '../core/accounting/audit-recorder.js';
import { toRequestSummary } from '../core/accounting/request-summary.js';
import { THIRD_PARTY_REJECTED_CODE, trackThirdPartyRejections } from '../core/third-party-rejection.js';
import { createGatewayMetrics, type GatewayMetrics, type MetricsSources } from '../ops/gateway-metrics.js';
import type { GatewayStore } from '../store/gateway-store.js';

export interface AccountingSetup {
  config: Config;
  store: GatewayStore;
  /** Live gauges the metrics read on scrape. */
  gauges: MetricsSources;
  logger: Logger;
}

/** Where every finished request goes: metrics, the audit log (and its charge), upstream notices. */
export interface Accounting {
  metrics: GatewayMetrics;
  /** Opens a run's audit row as it starts (not awaited); `onFinished` completes it. */
  beginRequest: BeginRequest;
  /** Awaited for non-streamed responses, so the audit row exists before the client has the answer. */
  onFinished(request: FinishedRequest): Promise<void>;
  /**
   * The audit hooks of a run that outlives its request (a background task or response), recorded
   * like the POST to `path` that started it: its row opens as it starts and completes when it ends.
   */
  backgroundRun(path: string): BackgroundRunHooks;
  /** What /health reports about Claude Code's answers from upstream. */
  upstreamNotices(): Record<string, unknown>;
  /** Writes what the audit recorder still buffers, then stops its retries. */
  close(): Promise<void>;
}

export function buildAccounting(setup: AccountingSetup): Accounting {
  const { store } = setup;
  const metrics = createGatewayMetrics(setup.gauges);
  const thirdPartyRejections = trackThirdPartyRejections();
  const recordAudit = auditRecorder(store.audit, {
    includePrompts: setup.config.AUDIT_PROMPTS,
    logger: setup.logger,
    isOpen: () => store.isOpen,
  });
  return {
    metrics,
    beginRequest: (request, progress) => recordAudit.begin(request, progress),
    async onFinished(request) {
      if (request.errorCode === THIRD_PARTY_REJECTED_CODE) thirdPartyRejections.record();
      metrics.observeRequest(request);
      await recordAudit.record(request);
    },
    backgroundRun: (path) => (principal, requestId) => {
      let runKey: string | undefined;
      return {
        onStarted(progress) {
          const started = { principal, requestId, method: 'POST', path, body: undefined, stream: false };
          runKey ??= recordAudit.begin(started, progress);
        },
        onSummary(summary) {
          const request = backgroundRequest(principal, requestId, path, summary);
          metrics.observeRequest(request);
          // Never rejects: the recorder buffers and retries a row the store cannot take now.
          void recordAudit.record(runKey === undefined ? request : { ...request, runKey });
        },
      };
    },
    upstreamNotices: () => ({ third_party_rejections: thirdPartyRejections.snapshot() }),
    async close() {
      await recordAudit.flush();
      recordAudit.close();
    },
  };
}

/** How the audit log shows a run its gateway never finished (killed outright, crashed). */
const INTERRUPTED = { status: 503, errorCode: 'gateway_interrupted' } as const;

/**
 * Runs an earlier process of this gateway left running (kill -9, a crash, an OOM kill) are closed
 * with what they had used and charged, before this one runs anything.
 */
export async function closeInterruptedRuns(store: GatewayStore, logger: Logger): Promise<void> {
  const rows = await store.audit.interruptRunning(INTERRUPTED);
  if (rows > 0)
    logger.warn({ runs: rows }, 'runs an earlier gateway process left unfinished recorded as interrupted');
}

/**
 * A run that went on after its request was answered (a background task or response), recorded
 * like the POST that started it.
 */
function backgroundRequest(
  principal: Principal,
  requestId: string,
  path: string,
  summary: RunSummary,
): FinishedRequest {
  return {
    principal,
    requestId,
    method: 'POST',
    path,
    body: undefined,
    stream: false,
    status: summary.error?.status ?? 200,
    errorCode: summary.error?.code ?? null,
    summary: toRequestSummary(summary),
    durationMs: summary.durationMs,
  };
}
