import { planAdmitted, type RequestsPerMinuteStanding, type RunAsk } from '../contract/admission.js';
import type { Principal } from '../contract/key-policy.js';
import type { RunEvent } from '../contract/run-events.js';
import type { RunPlan } from '../contract/run-plan.js';
import type {
  ImageLocator,
  ReadRunProgress,
  RunOrigin,
  RunService,
  RunSummary,
  RunTiming,
  SurfaceName,
} from '../contract/run-service.js';
import { awaitFirstEvent } from './first-event.js';

export type RunEvents = AsyncGenerator<RunEvent, void, undefined>;

/** Who runs and how to reach them: what a route (or a service) knows about the request it serves. */
export interface RunCaller {
  /** The caller's key; absent where auth is off (loopback), when every run is admitted. */
  principal: Principal | undefined;
  requestId: string;
  /** The client went away (or cancelled): the run is torn down. */
  signal: AbortSignal;
  /** How the run went, for budget, audit and metrics; reported once, whatever ended the run. */
  onSummary?: ((summary: RunSummary) => void) | undefined;
  /** The run has its queue slot and begins (its audit row opens); `progress` reads what it used so far. */
  onStarted?: ((progress: ReadRunProgress) => void) | undefined;
  /** Filled in as the run passes its milestones. */
  timing?: RunTiming | undefined;
}

/** A plan and what goes with it; a surface may carry more (the Responses API's input items). */
export interface Planned {
  plan: RunPlan;
  /** The longest this run may take; the server's own bound still applies. */
  timeoutMs?: number;
}

export interface RunCall<P extends Planned> extends RunCaller {
  surface: SurfaceName;
  /** What the run asks of the caller's key: decided before anything is planned. */
  ask: RunAsk;
  /**
   * Builds the plan once the key is admitted, so a refusal comes first and costs nothing. A throw
   * (a 400 naming a field) gives the admission back and never starts the run.
   */
  plan: () => P | Promise<P>;
  origin?: RunOrigin;
  /** The request as the client sent it, for the audit log (AUDIT_PROMPTS). */
  auditBody?: unknown;
  locateImage?: ImageLocator;
}

export interface StartedRun<P extends Planned> {
  planned: P;
  events: RunEvents;
  /** The key's requests-per-minute standing with this run counted; undefined for keys without a limit. */
  requestsPerMinute: RequestsPerMinuteStanding | undefined;
  /**
   * Every Claude account the run may use is spent, and the run waits (ACCOUNTS_HOLD_MS) until this
   * epoch ms before it starts: a stream begins now and keeps alive meanwhile.
   */
  heldUntil: number | undefined;
}

/**
 * Admit, plan, run: the one way every surface and service starts a run. Refusals by key policy and
 * failures to plan are thrown; the run's events are not awaited (a background task answers before
 * its run has its queue slot). Routes that answer with the run use `serveRun`.
 */
export async function startRun<P extends Planned>(
  runs: RunService,
  call: RunCall<P>,
): Promise<StartedRun<P>> {
  const admission = await runs.admit(call.principal, call.ask);
  const planned = await planAdmitted(admission, call.plan);
  const events = runs.run({
    surface: call.surface,
    plan: planned.plan,
    admission,
    signal: call.signal,
    requestId: call.requestId,
    ...(call.origin ? { origin: call.origin } : {}),
    ...(call.auditBody !== undefined ? { auditBody: call.auditBody } : {}),
    ...(planned.timeoutMs !== undefined ? { timeoutMs: planned.timeoutMs } : {}),
    ...(call.onSummary ? { onSummary: call.onSummary } : {}),
    ...(call.onStarted ? { onStarted: call.onStarted } : {}),
    ...(call.timing ? { timing: call.timing } : {}),
    ...(call.locateImage ? { locateImage: call.locateImage } : {}),
  });
  return {
    planned,
    events,
    requestsPerMinute: admission.requestsPerMinute,
    heldUntil: admission.accountsHeldUntil,
  };
}

/**
 * `startRun`, then waits for the run's first event: a failure before any output (admission, plan,
 * queue, session, an image fetch) is thrown, so the route still answers it with a real HTTP status.
 * What comes back is what the route encodes: its events (the first one included) and its plan. A
 * run held for the first account's reset is not waited for: the route answers at once (a stream
 * keeps alive until its events come, and a failure after the hold is its in-band error).
 */
export async function serveRun<P extends Planned>(
  runs: RunService,
  call: RunCall<P>,
): Promise<StartedRun<P>> {
  const started = await startRun(runs, call);
  if (started.heldUntil !== undefined) return started;
  return { ...started, events: await awaitFirstEvent(started.events) };
}
