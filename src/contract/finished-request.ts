import type { Principal } from './key-policy.js';
import type { RunUsage } from './run-events.js';
import type { ReadRunProgress, RunSummary } from './run-service.js';

/** What a run cost and how it went, as the audit log and metrics record it. */
export interface RequestRunSummary {
  model: string;
  outcome: 'ok' | 'error';
  /** HTTP status of the failure, when outcome is 'error'. */
  errorStatus?: number;
  errorCode?: string | null;
  usage?: RunUsage;
  costUsd: number;
  costEstimated?: boolean;
  durationMs: number;
  timeToFirstChunkMs?: number;
  queueWaitMs: number;
  /** The wire the run came in on (metrics label). */
  surface?: string;
  /** The Claude account the run used (audit column, metrics label). */
  account?: string;
  /** How the claim a turn went ahead of turned out (metrics; see RunSummary). */
  aheadOfClaim?: RunSummary['aheadOfClaim'];
}

/** Handed to the route by this middleware; the route passes them to RunService.run. */
export interface RunHooks {
  onStarted?: (progress: ReadRunProgress) => void;
  onSummary?: (summary: RunSummary) => void;
}

/** The hooks of a run that outlives its request (a background task or response), per caller and request. */
export type BackgroundRunHooks = (principal: Principal, requestId: string) => RunHooks;

/** A request whose run just started (it has its queue slot), as its audit row begins. */
export type StartedRequest = Pick<
  FinishedRequest,
  'principal' | 'requestId' | 'method' | 'path' | 'body' | 'stream'
>;

/** Opens the audit row of a run just started, kept up to date from `progress`; returns its run key. */
export type BeginRequest = (request: StartedRequest, progress: ReadRunProgress) => string;

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
  /** From `BeginRequest`, when the run's audit row was opened as it started: the row to complete. */
  runKey?: string;
}
