import type { Context, MiddlewareHandler } from 'hono';
import '../auth/context-variables.js';
import { GatewayError } from '../core/gateway-error.js';
import type { RunSummary } from '../core/run-service.js';
import { type OpenAIUsage, toOpenAIUsage } from '../http/openai-usage.js';
import type { Principal } from './key-policy.js';

/** Token counts of a run as the audit log and metrics keep them (prompt includes cached input). */
export type RequestUsage = OpenAIUsage;

/** What a run cost and how it went, as the audit log and metrics record it. */
export interface RequestRunSummary {
  model: string;
  outcome: 'ok' | 'error';
  /** HTTP status of the failure, when outcome is 'error'. */
  errorStatus?: number;
  errorCode?: string | null;
  usage?: RequestUsage;
  costUsd: number;
  costEstimated?: boolean;
  durationMs: number;
  timeToFirstChunkMs?: number;
  queueWaitMs: number;
  /** The wire the run came in on (metrics label). */
  surface?: string;
}

/** Handed to the route by this middleware; the route passes `onSummary` to RunService.run. */
export interface RunHooks {
  onSummary?: (summary: RunSummary) => void;
}

/** A run's neutral summary in the audit log's terms; usage is always the run's (issue 15). */
export function toRequestSummary(summary: RunSummary): RequestRunSummary {
  return {
    model: summary.model,
    outcome: summary.outcome,
    ...(summary.error ? { errorStatus: summary.error.status, errorCode: summary.error.code } : {}),
    usage: toOpenAIUsage(summary.usage),
    costUsd: summary.costUsd,
    ...(summary.costEstimated ? { costEstimated: true } : {}),
    durationMs: summary.durationMs,
    ...(summary.timeToFirstEventMs !== undefined ? { timeToFirstChunkMs: summary.timeToFirstEventMs } : {}),
    queueWaitMs: summary.queueWaitMs,
    surface: summary.surface,
  };
}

/** A request that could run Claude Code, once it is over (for a stream: once its run ended). */
export interface FinishedRequest {
  principal: Principal;
  requestId: string;
  method: string;
  path: string;
  /** The parsed JSON body, or undefined when it was not JSON. */
  body: unknown;
  stream: boolean;
  /** HTTP status; for a stream that failed after its first byte, the status of the error it carried. */
  status: number;
  errorCode: string | null;
  /** Present when a run reached Claude Code. */
  summary: RequestRunSummary | undefined;
  durationMs: number;
}

export interface RequestAccountingDeps {
  requestsPerMinute: MiddlewareHandler;
  /** Awaited for non-streamed responses, so the audit row exists before the client has the answer. */
  onFinished: (request: FinishedRequest) => void | Promise<void>;
}

/**
 * Accounts for every POST of a key (so endpoints added later are covered): counts it against the
 * key's requests per minute (refused and invalid requests too, with the rate-limit headers), hands
 * the route the run hooks, and reports the request once it is over, for the audit log and metrics.
 * Whether a run may start is not decided here but by admission in the core (src/policy/admit.ts).
 */
export function accountRequests(deps: RequestAccountingDeps): MiddlewareHandler {
  return async function accountRequestsMiddleware(c, next) {
    const principal = c.get('principal');
    if (!principal || c.req.method !== 'POST') return next();
    const startedAt = performance.now();
    const body = await c.req.json().catch(() => undefined);

    let summary: RequestRunSummary | undefined;
    let awaitingSummary = false;
    let finished = false;
    const finish = async (status: number, errorCode: string | null, stream: boolean) => {
      if (finished) return;
      finished = true;
      await deps.onFinished({
        principal,
        requestId: c.get('requestId'),
        method: c.req.method,
        path: c.req.path,
        body,
        stream,
        status,
        errorCode,
        summary,
        durationMs: performance.now() - startedAt,
      });
    };
    // A stream is over when its run is: the run's own outcome is what the client got.
    const finishStream = (runSummary: RequestRunSummary) => {
      const failed = runSummary.outcome === 'error';
      void finish(
        failed ? (runSummary.errorStatus ?? 500) : c.res.status,
        failed ? (runSummary.errorCode ?? null) : null,
        true,
      );
    };

    try {
      await deps.requestsPerMinute(c, async () => {
        c.set('runHooks', {
          onSummary(runSummary) {
            summary = toRequestSummary(runSummary);
            if (awaitingSummary) finishStream(summary);
          },
        });
        await next();
      });
    } catch (error) {
      const gatewayError = error instanceof GatewayError ? error : undefined;
      await finish(gatewayError?.status ?? 500, gatewayError?.code ?? 'internal_error', false);
      throw error;
    }

    if (isEventStream(c) && c.res.status < 400) {
      // The summary may already be in when the run ended before the response left the route.
      if (summary) finishStream(summary);
      else awaitingSummary = true;
      return;
    }
    const error = c.error instanceof GatewayError ? c.error : undefined;
    await finish(c.res.status, error?.code ?? summary?.errorCode ?? null, false);
  };
}

function isEventStream(c: Context): boolean {
  return c.res.headers.get('content-type')?.startsWith('text/event-stream') ?? false;
}
