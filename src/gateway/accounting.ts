import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { FinishedRequest } from '../contract/finished-request.js';
import type { Principal } from '../contract/key-policy.js';
import type { RunSummary } from '../contract/run-service.js';
import { auditRecorder } from '../core/accounting/audit-recorder.js';
import { toRequestSummary } from '../core/accounting/request-summary.js';
import { THIRD_PARTY_REJECTED_CODE, trackThirdPartyRejections } from '../core/third-party-rejection.js';
import { createGatewayMetrics, type GatewayMetrics } from '../ops/gateway-metrics.js';
import type { GatewayStore } from '../store/gateway-store.js';

export interface AccountingSetup {
  config: Config;
  store: GatewayStore;
  /** Live gauges the metrics read on scrape. */
  gauges: { liveProcesses(): number; queueRunning(): number; queueWaiting(): number };
  logger: Logger;
}

/** Where every finished request goes: metrics, the audit log (and its charge), upstream notices. */
export interface Accounting {
  metrics: GatewayMetrics;
  /** Awaited for non-streamed responses, so the audit row exists before the client has the answer. */
  onFinished(request: FinishedRequest): Promise<void>;
  /** A request that ended without a client waiting for it (a background task): never rejects. */
  recordInBackground(request: FinishedRequest): void;
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
    async onFinished(request) {
      if (request.errorCode === THIRD_PARTY_REJECTED_CODE) thirdPartyRejections.record();
      metrics.observeRequest(request);
      await recordAudit.record(request);
    },
    recordInBackground(request) {
      metrics.observeRequest(request);
      // Never rejects: the recorder buffers and retries a row the store cannot take now.
      void recordAudit.record(request);
    },
    upstreamNotices: () => ({ third_party_rejections: thirdPartyRejections.snapshot() }),
    async close() {
      await recordAudit.flush();
      recordAudit.close();
    },
  };
}

/**
 * A run that went on after its request was answered (a background task or response), recorded
 * like the POST that started it.
 */
export function backgroundRequest(
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
