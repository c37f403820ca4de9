import type { BeginRequest, FinishedRequest, RequestRunSummary } from '../../contract/finished-request.js';
import { GatewayError } from '../../contract/gateway-error.js';
import type { Principal } from '../../contract/key-policy.js';
import type { ReadRunProgress, RunSummary } from '../../contract/run-service.js';
import { toRequestSummary } from './request-summary.js';

/**
 * The audit row and metrics of a turn no POST middleware saw (a WebSocket frame, an EventSource GET),
 * recorded like an HTTP request's. Whether the turn may run is admission's call (src/core/admission/key-admission.ts),
 * which also counts such a turn against the key's requests per minute.
 */
export interface TurnAccountingDeps {
  /** Opens the turn's audit row when its run starts, so a gateway killed mid-run keeps it. */
  beginRequest?: BeginRequest;
  onFinished(request: FinishedRequest): void | Promise<void>;
}

export interface TurnInfo {
  requestId: string;
  method: string;
  path: string;
  body: unknown;
  stream: boolean;
}

/** One turn's record: report its run's summary, then end it once, refused or finished. */
export interface TurnRecord {
  onStarted(progress: ReadRunProgress): void;
  onSummary(summary: RunSummary): void;
  /** The turn was refused before it ran; awaited, like a refused HTTP request's audit row. */
  refused(error: GatewayError): Promise<void>;
  /** The turn ended (its run finished, failed, or the client went away). */
  finish(): void;
}

export type RecordTurn = (principal: Principal, turn: TurnInfo) => TurnRecord;

export function createTurnAccounting(deps: TurnAccountingDeps): RecordTurn {
  return (principal, turn) => {
    const startedAt = performance.now();
    let ended = false;
    let runKey: string | undefined;
    const record = async (
      status: number,
      errorCode: string | null,
      summary: RequestRunSummary | undefined,
    ) => {
      if (ended) return;
      ended = true;
      await deps.onFinished({
        principal,
        requestId: turn.requestId,
        method: turn.method,
        path: turn.path,
        body: turn.body,
        stream: turn.stream,
        status,
        errorCode,
        summary,
        durationMs: performance.now() - startedAt,
        ...(runKey !== undefined ? { runKey } : {}),
      });
    };
    let summary: RequestRunSummary | undefined;
    let error: GatewayError | undefined;
    return {
      onStarted(progress) {
        if (runKey !== undefined || !deps.beginRequest) return;
        runKey = deps.beginRequest({ principal, ...turn }, progress);
      },
      onSummary(runSummary) {
        summary = toRequestSummary(runSummary);
        if (runSummary.error instanceof GatewayError) error = runSummary.error;
      },
      refused: (refusal) => record(refusal.status, refusal.code, undefined),
      finish() {
        // The audit row is written in the background; the recorder buffers and retries it.
        void record(
          error?.status ?? (summary ? 200 : 499),
          error?.code ?? (summary ? null : 'client_closed_request'),
          summary,
        ).catch(() => undefined);
      },
    };
  };
}
