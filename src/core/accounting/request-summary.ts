import type { RequestRunSummary } from '../../contract/finished-request.js';
import type { RunSummary } from '../../contract/run-service.js';

/** A run's neutral summary in the audit log's terms; usage is always the run's. */
export function toRequestSummary(summary: RunSummary): RequestRunSummary {
  return {
    model: summary.model,
    outcome: summary.outcome,
    ...(summary.error ? { errorStatus: summary.error.status, errorCode: summary.error.code } : {}),
    usage: summary.usage,
    costUsd: summary.costUsd,
    ...(summary.costEstimated ? { costEstimated: true } : {}),
    durationMs: summary.durationMs,
    ...(summary.timeToFirstEventMs !== undefined ? { timeToFirstChunkMs: summary.timeToFirstEventMs } : {}),
    queueWaitMs: summary.queueWaitMs,
    surface: summary.surface,
    ...(summary.account !== undefined ? { account: summary.account } : {}),
    ...(summary.aheadOfClaim !== undefined ? { aheadOfClaim: summary.aheadOfClaim } : {}),
  };
}
