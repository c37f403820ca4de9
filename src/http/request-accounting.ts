import type { Context, MiddlewareHandler } from 'hono';
import './context-variables.js';
import type { BeginRequest, FinishedRequest, RequestRunSummary } from '../contract/finished-request.js';
import { GatewayError } from '../contract/gateway-error.js';
import { toRequestSummary } from '../core/accounting/request-summary.js';

export interface RequestAccountingDeps {
  /** Opens the audit row when the request's run starts, so a gateway killed mid-run keeps it. */
  beginRequest?: BeginRequest;
  /** Awaited for non-streamed responses, so the audit row exists before the client has the answer. */
  onFinished: (request: FinishedRequest) => void | Promise<void>;
}

/**
 * Accounts for every POST of a key (so endpoints added later are covered): hands the route the run
 * hooks, and reports the request once it is over, for the audit log and metrics. Whether a run may
 * start, and its count against the key's requests per minute, is admission's call in the core
 * (src/core/admission/key-admission.ts).
 */
export function accountRequests(deps: RequestAccountingDeps): MiddlewareHandler {
  return async function accountRequestsMiddleware(c, next) {
    const principal = c.get('principal');
    if (!principal || c.req.method !== 'POST') return next();
    const startedAt = performance.now();
    // The body the JSON guard checked is parsed when the audit first needs it: once the run has
    // started, its turn on its way (the route parses it too, and a second parse of a long history
    // or of images would hold up the turn). A body the guard did not read is parsed here.
    const guardedText = c.get('jsonBodyText');
    const body =
      guardedText !== undefined
        ? parsedWhenAsked(guardedText)
        : always(await c.req.json().catch(() => undefined));

    let summary: RequestRunSummary | undefined;
    let runKey: string | undefined;
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
        body: body(),
        stream,
        status,
        errorCode,
        summary,
        durationMs: performance.now() - startedAt,
        ...(runKey !== undefined ? { runKey } : {}),
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

    c.set('runHooks', {
      onStarted(progress) {
        // One audit row per request: a request that runs twice (a retry inside the route) keeps the first.
        if (runKey !== undefined || !deps.beginRequest) return;
        const parsed = body();
        const stream = isRecord(parsed) && parsed.stream === true;
        const started = { principal, requestId: c.get('requestId'), method: c.req.method, path: c.req.path };
        runKey = deps.beginRequest({ ...started, body: parsed, stream }, progress);
      },
      onSummary(runSummary) {
        summary = toRequestSummary(runSummary);
        if (awaitingSummary) finishStream(summary);
      },
    });
    try {
      await next();
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

/** The JSON `text` holds, parsed on the first call (undefined when it is not JSON). */
function parsedWhenAsked(text: string): () => unknown {
  let parsed: { value: unknown } | undefined;
  return () => {
    parsed ??= { value: parseOrUndefined(text) };
    return parsed.value;
  };
}

function parseOrUndefined(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function always(value: unknown): () => unknown {
  return () => value;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isEventStream(c: Context): boolean {
  return c.res.headers.get('content-type')?.startsWith('text/event-stream') ?? false;
}
