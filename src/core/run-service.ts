import type { Admission, Admit, RunAsk } from '../contract/admission.js';
import { openAdmission } from '../contract/admission.js';
import { clientToolNameOf, maxClientToolCalls } from '../contract/client-tools.js';
import { gatewayShuttingDown } from '../contract/errors.js';
import { GatewayError } from '../contract/gateway-error.js';
import type { Principal } from '../contract/key-policy.js';
import type { ConversationIndex } from '../contract/ports/conversations.js';
import { type RunEvent, ZERO_USAGE } from '../contract/run-events.js';
import type { RunPlan, TrackedSession } from '../contract/run-plan.js';
import type { ReadRunProgress, RunRequest, RunService, RunSummary } from '../contract/run-service.js';
import type { ClaudeRunner } from '../engine/runner.js';
import { roundUsd } from '../util/round-usd.js';
import type { PlacedRun, RunAccounts } from './accounts/run-accounts.js';
import { type AccountAttempt, runOnAccounts } from './accounts/run-on-accounts.js';
import { estimateCostUsd } from './estimate-cost.js';
import { forcesToolCall } from './forced-tool-choice.js';
import type { RemoteImageResolver } from './images/resolve-remote-images.js';
import {
  createInterpreter,
  finishInterpretation,
  interpretMessage,
  streamedUsage,
  toRunUsage,
} from './interpret-sdk.js';
import { mapRunFailure } from './map-run-failure.js';
import type { Lease, RunQueue } from './run-queue.js';
import { type RunSignal, runSignal } from './run-signal.js';
import { type RunSessionTracker, trackRunSession } from './sessions/track-run.js';

export interface RunServiceDeps {
  runner: ClaudeRunner;
  queue: RunQueue;
  /** REQUEST_TIMEOUT_MS: the longest any run may take (a request's own `timeoutMs` can only be shorter). */
  requestTimeoutMs: number;
  /** Tracks conversations so a continued one resumes its Claude Code session; absent: every run rebuilds. */
  sessions?: ConversationIndex;
  /** Fetches http(s) images of a plan (REMOTE_IMAGES); absent when remote images are off. */
  resolveRemoteImages?: RemoteImageResolver;
  /** Key policy (src/core/admission/key-admission.ts): decides every run of every surface that has a principal. */
  admit: Admit;
  /**
   * Aborted when the gateway stops and its shutdown grace is over: every run still going (or
   * queued) ends with `gateway_shutting_down`, which each surface renders in its own shape.
   */
  stopping?: AbortSignal;
  /**
   * The pool of Claude accounts (ACCOUNTS_FILE): refuses or holds at admission when none can answer,
   * places each run, fails it over. Absent: every run uses the gateway's own credentials.
   */
  accounts?: RunAccounts;
}

/** The session a run uses, replaced when a failover starts the run over in a clean one. */
interface RunSession {
  tracker?: RunSessionTracker;
  /** The run went to Claude Code: a claim confirmed after that is started as well. */
  started?: boolean;
  /** A claim still on its way while the turn went ahead (settled before the session is). */
  confirming?: Promise<unknown>;
  /** How the claim a turn went ahead of turned out. */
  ahead?: RunSummary['aheadOfClaim'];
  /** The session that claim gave when it was not the one foreseen. */
  claimedInstead?: string;
}

/** A run as its claim left it: what `execute` runs. */
interface RunAttempt {
  plan: RunPlan;
  request: RunRequest;
  session: RunSession;
  /** A failover starts over in a clean session, claimed for what the client sent. */
  restart: (failed: RunPlan) => Promise<{ plan: RunPlan; conversationAccount: string | undefined }>;
  /** The claim a turn went ahead of (the runner's `confirm`); undefined when the run was claimed first. */
  confirm: Promise<RunPlan | undefined> | undefined;
}

/**
 * The one place a plan becomes a Claude Code run, for every surface: session claim, remote images,
 * queue lease, the runner (warm/hot processes live behind it), timeout, the SDK interpreter, and the
 * run's summary. Failures before the run are the first event (an `error`), so a surface can still
 * answer with a real HTTP status. The summary is reported once the run got its queue slot, however
 * it ended (earlier failures are reported by the HTTP layer, as for any refused request).
 */
export function createRunService(deps: RunServiceDeps): RunService {
  // Admissions this service gave and no run has used yet: each run needs its own, used once.
  const unused = new WeakSet<Admission>();
  // The accounts (KeyPolicy.accounts) each admitted run may use; absent: every account.
  const accountsOf = new WeakMap<Admission, readonly string[]>();

  async function admit(principal: Principal | undefined, ask: RunAsk): Promise<Admission> {
    // First and cheap (no write, no slot): with every account spent, nothing else is worth checking.
    const accounts = deps.accounts ? await deps.accounts.admit(principal?.policy.accounts) : {};
    const admission = principal ? await deps.admit(principal, ask) : await openAdmission();
    const admitted =
      accounts.heldUntil === undefined ? admission : { ...admission, accountsHeldUntil: accounts.heldUntil };
    unused.add(admitted);
    if (principal?.policy.accounts) accountsOf.set(admitted, principal.policy.accounts);
    return admitted;
  }

  async function* run(request: RunRequest): AsyncGenerator<RunEvent, void, undefined> {
    if (!unused.delete(request.admission)) {
      // A surface bug, not a client's error: every run passes key policy exactly once.
      request.admission.release();
      throw new Error('RunService.run needs an admission from RunService.admit, used once');
    }
    const planned = request.plan;
    const session: RunSession = {};
    try {
      // The session is looked up before images are fetched: fingerprints cover what the client
      // sent. A shared index (DATABASE_URL) answers asynchronously and may fail with a 503.
      const ahead =
        deps.runner.holdsTurns && !deps.accounts
          ? deps.sessions?.beginAhead?.(planned, request.origin)
          : undefined;
      const foreseen = ahead?.foreseen;
      const claim = ahead
        ? foreseen
          ? undefined
          : await ahead.claim
        : await deps.sessions?.begin(planned, request.origin);
      if (claim) {
        planned.session = claim.session;
        session.tracker = trackRunSession(claim, planned);
      }
      // A session this gateway left and keeps the process of: the turn goes to that process while
      // its claim is on the way (a round trip to the shared index), held back from the API until
      // the claim confirms it (the runner's `confirm`).
      let confirmed: Promise<TrackedSession | undefined> | undefined;
      if (ahead && foreseen) {
        planned.session = foreseen;
        confirmed = ahead.claim.then((claimed) => {
          session.tracker = trackRunSession(claimed, planned);
          if (session.started) session.tracker.started();
          const confirmedAsForeseen = sameSession(claimed.session, foreseen);
          session.ahead = confirmedAsForeseen ? 'confirmed' : 'superseded';
          if (confirmedAsForeseen) return undefined;
          planned.session = claimed.session;
          session.claimedInstead = claimed.session.id;
          return claimed.session;
        });
        session.confirming = confirmed.catch(() => undefined);
      }
      const plan = deps.resolveRemoteImages
        ? await deps.resolveRemoteImages(planned, request.signal, request.locateImage)
        : planned;
      const confirm = confirmed?.then((claimed) => (claimed ? { ...plan, session: claimed } : undefined));
      // Its failure is the runner's to throw, if the run gets that far.
      confirm?.catch(() => undefined);
      // A failover starts over in a clean session, claimed for what the client sent.
      const restart = async (failed: RunPlan) => {
        await session.tracker?.settle();
        const fresh = await deps.sessions?.begin(planned, request.origin);
        if (!fresh) return { plan: failed, conversationAccount: undefined };
        const next = { ...failed, session: fresh.session };
        session.tracker = trackRunSession(fresh, next);
        session.tracker.started();
        return { plan: next, conversationAccount: fresh.session.account };
      };
      yield* execute({ plan, request, session, restart, confirm });
    } catch (error) {
      if (deps.stopping?.aborted && !request.signal.aborted) {
        yield { type: 'error', error: gatewayShuttingDown() };
        return;
      }
      // Only neutral errors are a client's answer; anything else is a bug for app.onError to log.
      if (!(error instanceof GatewayError)) throw error;
      yield { type: 'error', error };
    } finally {
      // The key's run slot is free as soon as the run is over, however it ended.
      request.admission.release();
      await session.confirming;
      // Awaited: a shared index has recorded the turn before the client can send the next one.
      await session.tracker?.settle();
    }
  }

  async function* execute(attempt: RunAttempt): AsyncGenerator<RunEvent, void, undefined> {
    const { request } = attempt;
    const limit = runSignal(
      [request.signal, deps.stopping],
      Math.min(request.timeoutMs ?? Number.POSITIVE_INFINITY, deps.requestTimeoutMs),
    );
    try {
      yield* executeWithin(limit, attempt);
    } finally {
      limit.dispose();
    }
  }

  async function* executeWithin(
    limit: RunSignal,
    { plan, request, session, restart, confirm }: RunAttempt,
  ): AsyncGenerator<RunEvent, void, undefined> {
    const runSignal = limit.signal;
    const queuedAt = performance.now();
    // The account first: a run waiting for an account's slot holds no process slot meanwhile.
    const placed = await placeAccount(plan, request, runSignal);
    let lease: Lease;
    try {
      lease = await deps.queue.acquire(runSignal);
    } catch (error) {
      placed?.release();
      throw error;
    }
    const startedAt = performance.now();
    const summary: RunSummary = {
      surface: request.surface,
      model: plan.model,
      outcome: 'ok',
      usage: { ...ZERO_USAGE },
      costUsd: 0,
      costEstimated: false,
      durationMs: 0,
      queueWaitMs: startedAt - queuedAt,
      ...(plan.session ? { sessionId: plan.session.id } : {}),
    };
    const maxToolCalls = maxClientToolCalls(plan.clientToolPolicy);
    const state = createInterpreter({
      clientToolName: clientToolNameOf,
      agentActivity: plan.agent !== undefined,
      structuredOutput: plan.outputSchema !== undefined,
      forcedToolCall: forcesToolCall(plan),
      ...(plan.stopSequences ? { stopSequences: plan.stopSequences } : {}),
      ...(maxToolCalls !== undefined ? { maxToolCalls } : {}),
    });
    let finished = false;
    let sent = false;
    const observe = (events: RunEvent[]): RunEvent[] => {
      for (const event of events) {
        sent = true;
        summary.timeToFirstEventMs ??= performance.now() - startedAt;
        if (timing) timing.firstEventAt ??= performance.now();
        if (event.type === 'error') {
          summary.outcome = 'error';
          summary.error = event.error;
        } else if (event.type === 'finish') {
          // Whatever the client asked to see, the run's usage is recorded (audit, budget, metrics).
          summary.usage = event.usage;
          finished = true;
        }
        session.tracker?.observe(event);
      }
      return events;
    };
    let costReported = false;
    const progress: ReadRunProgress = () => {
      if (finished) return { usage: summary.usage, costUsd: summary.costUsd, durationMs: summary.durationMs };
      const streamed = streamedUsage(state);
      return {
        usage: toRunUsage(streamed),
        costUsd: costReported
          ? summary.costUsd
          : streamed
            ? roundUsd(estimateCostUsd(plan.model, streamed))
            : 0,
        durationMs: performance.now() - startedAt,
      };
    };
    // The run's process is ended (or parked) in the background once the answer is complete, so the
    // stream ends without waiting for Claude Code to exit, and the slot is free for the next run
    // (the warm module starts no idle process until the exiting one has gone).
    const cleanup = { settle: (_done: Promise<void>) => undefined };
    const { timing } = request;
    const onTurnSent = () => {
      if (timing) timing.turnSentAt = performance.now();
    };
    const messages = placed
      ? runOnAccounts({
          accounts: deps.accounts as RunAccounts,
          runner: deps.runner,
          signal: runSignal,
          cleanup,
          onTurnSent,
          first: firstAttempt(plan, placed),
          allowed: accountsOf.get(request.admission),
          sent: () => sent,
          restart: () => restart(plan),
          onAccount: (account) => {
            summary.account = account.name;
            session.tracker?.ranOn(account.name);
          },
        })
      : deps.runner.run(plan, runSignal, { cleanup, onTurnSent, ...(confirm ? { confirm } : {}) });
    // The start is reported (an audit row written) once this turn of the event loop is over: by
    // then a live process has its turn and works on it, so the write is not on the first token's
    // path. A run that ends sooner reports it before its summary (see `finally`).
    const reportStart = onceLater(() => request.onStarted?.(progress));
    try {
      session.started = true;
      session.tracker?.started();
      for await (const message of messages) {
        reportStart.now();
        if (message.type === 'result') {
          summary.costUsd = roundUsd(message.total_cost_usd ?? 0);
          summary.turns = message.num_turns;
          costReported = true;
          if (!message.is_error) session.tracker?.finishedTurn();
        }
        yield* observe(interpretMessage(state, message));
        // The interpreter decides when the answer is complete (it may end before Claude Code would).
        if (state.finished) return;
      }
      yield* observe(finishInterpretation(state));
    } catch (error) {
      yield* observe([{ type: 'error', error: failureOf(error, request.signal, limit.timedOut()) }]);
    } finally {
      reportStart.now();
      lease.release();
      placed?.release();
      const streamed = streamedUsage(state);
      // An answer the gateway ended early still cost what was streamed; budgets must see it.
      if (!costReported && streamed) {
        summary.costUsd = roundUsd(estimateCostUsd(plan.model, streamed));
        summary.costEstimated = true;
        if (!finished) summary.usage = toRunUsage(streamed);
      }
      summary.durationMs = performance.now() - startedAt;
      if (session.ahead) summary.aheadOfClaim = session.ahead;
      if (session.claimedInstead) summary.sessionId = session.claimedInstead;
      request.onSummary?.(summary);
    }
  }

  /** Why a run failed: the gateway stopping or the timeout, unless the client left first. */
  function failureOf(error: unknown, signal: AbortSignal, timedOut: boolean): GatewayError {
    if (deps.stopping?.aborted && !signal.aborted) return gatewayShuttingDown();
    return mapRunFailure(error, timedOut && !signal.aborted);
  }

  /** The account the run goes to, with its slot; undefined without a pool of accounts. */
  async function placeAccount(
    plan: RunPlan,
    request: RunRequest,
    signal: AbortSignal,
  ): Promise<PlacedRun | undefined> {
    if (!deps.accounts) return undefined;
    const allowed = accountsOf.get(request.admission);
    const conversationAccount = plan.session?.continues ? plan.session.account : undefined;
    return deps.accounts.place(
      { ...(allowed ? { allowed } : {}), ...(conversationAccount ? { conversationAccount } : {}) },
      signal,
      request.admission.accountsHeldUntil,
    );
  }

  /** A continued conversation placed on another account than its own resumes from where that one kept it. */
  function firstAttempt(plan: RunPlan, placed: PlacedRun): AccountAttempt {
    const session = plan.session;
    if (!session?.continues || session.account === placed.account.name) return { plan, placed };
    const from = session.account === undefined ? undefined : deps.accounts?.find(session.account);
    return { plan, placed, movedFrom: from ?? null };
  }

  return { admit, run };
}

/** Whether a claim gave exactly the session a run was started on. */
function sameSession(claimed: TrackedSession, foreseen: TrackedSession): boolean {
  return (
    claimed.id === foreseen.id &&
    claimed.continues === foreseen.continues &&
    claimed.version === foreseen.version &&
    claimed.account === foreseen.account
  );
}

/**
 * Runs `work` once: in the event loop's next check phase, or at `now()` if that comes first. What
 * it throws in the check phase is thrown by the next `now()` (inside the run, whose error it becomes).
 */
function onceLater(work: () => void): { now(): void } {
  let done = false;
  let failure: { error: unknown } | undefined;
  const run = () => {
    if (done) return;
    done = true;
    clearImmediate(timer);
    work();
  };
  const timer = setImmediate(() => {
    try {
      run();
    } catch (error) {
      failure = { error };
    }
  });
  return {
    now() {
      run();
      const failed = failure;
      failure = undefined;
      if (failed) throw failed.error;
    },
  };
}
