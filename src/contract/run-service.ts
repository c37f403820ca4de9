/**
 * The contract between surfaces and the core: a surface turns its wire request into a neutral
 * `RunPlan` (its own 400s first), calls `run`, and encodes the events. Everything that is not wire
 * format (admission by key policy, queue lease, warm/hot processes, sessions, remote images, stop
 * sequences, max tokens, client-tool interruption, cost, audit, metrics) happens in here, once, for
 * every surface.
 */

import type { Admission, RunAsk } from './admission.js';
import type { GatewayError } from './gateway-error.js';
import type { Principal } from './key-policy.js';
import type { RunEvent, RunUsage } from './run-events.js';
import type { RunPlan } from './run-plan.js';

/** Which wire a run came in on: metrics and audit rows are labelled with it. */
export type SurfaceName =
  | 'openai-chat'
  | 'openai-responses'
  | 'openai-completions'
  | 'anthropic-messages'
  | 'native'
  | 'tasks';

/** Who is asking and how they name the conversation; every field is optional. */
export interface RunOrigin {
  /** The caller (an API key id): a session is never shared across callers. */
  callerId?: string;
  /** An explicit conversation id (x-conversation-id, a native session id): one session per conversation. */
  conversationId?: string;
  /** The request's end-user string: narrows lookups to that end user. */
  endUser?: string;
}

/** When a run passed its milestones (`performance.now()`), filled in by the run service as they pass. */
export interface RunTiming {
  /** The turn was handed to Claude Code (written to its input). */
  turnSentAt?: number;
  /** The run's first event (Claude Code began to answer, or the run failed). */
  firstEventAt?: number;
}

export interface RunRequest {
  surface: SurfaceName;
  plan: RunPlan;
  /** From `RunService.admit` for this run; the run uses it once and gives it back when it ends. */
  admission: Admission;
  origin?: RunOrigin;
  /** The client went away (or cancelled): the run is torn down, its process tree killed. */
  signal: AbortSignal;
  /** Request id for logs and the audit row. */
  requestId: string;
  /** The raw request body, kept in the audit log only when AUDIT_PROMPTS is on. */
  auditBody?: unknown;
  /** Longest run for this request, bounded by REQUEST_TIMEOUT_MS. */
  timeoutMs?: number;
  onSummary?: (summary: RunSummary) => void;
  /**
   * Called once the run has its queue slot, before Claude Code starts: `progress` reads what the run
   * has used so far whenever asked (an audit row kept up to date while the run goes on). A run that
   * calls it always reports its summary too.
   */
  onStarted?: (progress: ReadRunProgress) => void;
  /** Filled in as the run goes (a response's `Server-Timing`). */
  timing?: RunTiming;
  /**
   * Where the client put an image URL, in the surface's own terms, for the `param` of an image fetch
   * error (REMOTE_IMAGES); absent: such errors carry no param.
   */
  locateImage?: ImageLocator;
}

/** What a run has used so far, while it runs (cost estimated until Claude Code reports it). */
export interface RunProgress {
  usage: RunUsage;
  costUsd: number;
  durationMs: number;
}

/** Reads a run's progress. */
export type ReadRunProgress = () => RunProgress;

/** What one run cost and how it went; reported once per run, whatever ended it. */
export interface RunSummary {
  surface: SurfaceName;
  model: string;
  outcome: 'ok' | 'error';
  error?: GatewayError;
  usage: RunUsage;
  costUsd: number;
  /** Claude Code did not report the cost (the answer ended early) and it was estimated. */
  costEstimated: boolean;
  durationMs: number;
  /** From the start of the run (after the queue) to the first event. */
  timeToFirstEventMs?: number;
  queueWaitMs: number;
  /** The Claude Code session the run used, when session tracking is on. */
  sessionId?: string;
  /** Agent turns (API round trips) Claude Code reported for the run, when it reported them. */
  turns?: number;
  /** The Claude account (ACCOUNTS_FILE name) the run used; after a failover, the one that answered. */
  account?: string;
  /**
   * The turn went to its session's live process before its claim answered (a shared index): the
   * claim then confirmed that session, or gave another and the run started over.
   */
  aheadOfClaim?: 'confirmed' | 'superseded';
}

export interface RunService {
  /**
   * Key policy's decision on a run, the same for every surface and transport: allowed model and
   * agent tools, budget, concurrent runs, requests per minute. Throws the neutral
   * GatewayError the surface renders. Without a principal (auth off on loopback) every run is
   * admitted. A surface admits before it builds the plan, so a refusal comes first and costs nothing.
   */
  admit(principal: Principal | undefined, ask: RunAsk): Promise<Admission>;
  /**
   * Queues and runs an admitted plan. Queue and session failures are the first event (an `error`),
   * so a surface can still answer with a real HTTP status; after that, an `error` event ends the run.
   * Returning early from the generator (client gone) tears the run down.
   */
  run(request: RunRequest): AsyncGenerator<RunEvent, void, undefined>;
}

/** Where the client put an image URL, in its surface's terms (e.g. `messages[2].content[1].image_url`). */
export type ImageLocator = (url: string) => string | null;
