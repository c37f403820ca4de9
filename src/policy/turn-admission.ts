import { GatewayError } from '../core/gateway-error.js';
import type { RunSummary } from '../core/run-service.js';
import { type FinishedRequest, type RequestRunSummary, toRequestSummary } from './enforce-key-policy.js';
import type { KeyConcurrency } from './key-concurrency.js';
import type { Principal } from './key-policy.js';
import { checkBudget } from './request-policy.js';

/**
 * Key policy for a turn that no POST middleware saw (a WebSocket frame, an EventSource GET): the
 * same requests-per-minute window, budget, concurrency slots, audit row and metrics as an HTTP run.
 */
export interface TurnAdmissionDeps {
  countTurn(principal: Principal): Promise<void>;
  /** Shared with the HTTP middleware: one key's runs are counted together whatever they came in on. */
  concurrency: KeyConcurrency;
  spentUsd(principal: Principal): number;
  onFinished(request: FinishedRequest): void;
}

export interface TurnInfo {
  requestId: string;
  method: string;
  path: string;
  body: unknown;
  stream: boolean;
}

/** An admitted turn: report its run's summary, then finish it once (its slot is given back). */
export interface TurnTicket {
  onSummary(summary: RunSummary): void;
  finish(): void;
}

export type AdmitTurn = (principal: Principal, turn: TurnInfo) => Promise<TurnTicket>;

/** Throws the GatewayError (429 and such) the client should get when the key may not run now. */
export function createTurnAdmission(deps: TurnAdmissionDeps): AdmitTurn {
  return async (principal, turn) => {
    const startedAt = performance.now();
    const record = (status: number, errorCode: string | null, summary: RequestRunSummary | undefined) =>
      deps.onFinished({
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
      });
    let release: () => void;
    try {
      await deps.countTurn(principal);
      checkBudget(principal.policy, deps.spentUsd(principal));
      release = deps.concurrency.acquire(principal.id, principal.policy.concurrency);
    } catch (error) {
      // A refused turn is audited like a refused HTTP request.
      if (error instanceof GatewayError) record(error.status, error.code, undefined);
      throw error;
    }
    let summary: RequestRunSummary | undefined;
    let error: GatewayError | undefined;
    let finished = false;
    return {
      onSummary(runSummary) {
        summary = toRequestSummary(runSummary);
        if (runSummary.error instanceof GatewayError) error = runSummary.error;
      },
      finish() {
        if (finished) return;
        finished = true;
        release();
        record(
          error?.status ?? (summary ? 200 : 499),
          error?.code ?? (summary ? null : 'client_closed_request'),
          summary,
        );
      },
    };
  };
}
