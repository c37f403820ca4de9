import type { RequestsPerMinuteStanding } from '../../contract/admission.js';
import type { Principal } from '../../contract/key-policy.js';
import type { NativeSessionRecord, NativeSessionStore } from '../../contract/ports/native-sessions.js';
import type { FinishReason, RunUsage } from '../../contract/run-events.js';
import type { ReadRunProgress, RunService, RunSummary } from '../../contract/run-service.js';
import { type RunEvents, serveRun } from '../../core/serve-run.js';
import { sessionAsk } from './key-rules.js';
import { type NativePlanContext, planTurn } from './plan-turn.js';

/** Who is calling: the key id owns sessions; without auth (loopback use) everyone is `anonymous`. */
export interface Caller {
  ownerId: string;
  principal?: Principal;
}

export interface TurnInput {
  caller: Caller;
  sessionId: string;
  prompt: string;
  /** Aborted when the client goes away or cancels. */
  signal: AbortSignal;
  requestId: string;
  /** The longest the client wants the turn to take; the server's bound still applies. */
  timeoutMs?: number;
  auditBody?: unknown;
  /** How the run went, for budget, audit and metrics. */
  onSummary?: (summary: RunSummary) => void;
  /** The turn's run begins (it has its queue slot): its audit row opens. */
  onStarted?: ((progress: ReadRunProgress) => void) | undefined;
}

/** A finished turn, as it joined the transcript. */
export interface TurnOutcome {
  sessionId: string;
  response: string;
  usage: RunUsage;
  /** Why the answer ended: `end_turn`, `max_turns` (an agent ran out of turns), `max_tokens`. */
  stopReason: FinishReason;
  costUsd: number;
  durationMs: number;
}

export interface SessionTurn {
  /** The run's events, the first one included; they end once a finished turn is in the transcript. */
  events: RunEvents;
  /** The key's requests-per-minute standing with this turn counted. */
  requestsPerMinute: RequestsPerMinuteStanding | undefined;
  /** Once the events are consumed: the finished turn, or undefined when it failed or never finished. */
  outcome(): TurnOutcome | undefined;
}

export interface TurnDeps {
  store: NativeSessionStore;
  runs: RunService;
  planContext: NativePlanContext;
  ttlMs: number;
  /** The server's bound on one turn (REQUEST_TIMEOUT_MS). */
  requestTimeoutMs: number;
  now: () => number;
}

/**
 * One turn of an idle session the caller owns, through the core: admitted under the caller's key
 * (which may have been narrowed since the session was made), planned from the stored transcript,
 * and, once it finished, added to that transcript before its events end. Refusals and failures
 * before the first event are thrown. `onEnd` runs once the turn is over, however it ended.
 */
export async function runSessionTurn(
  deps: TurnDeps,
  session: NativeSessionRecord,
  input: TurnInput,
  onEnd: () => void,
): Promise<SessionTurn> {
  const startedAt = deps.now();
  let summary: RunSummary | undefined;
  const started = await serveRun(deps.runs, {
    surface: 'native',
    principal: input.caller.principal,
    requestId: input.requestId,
    signal: input.signal,
    onSummary: (reported) => {
      summary = reported;
      input.onSummary?.(reported);
    },
    onStarted: input.onStarted,
    ask: sessionAsk(session),
    plan: async () => {
      await deps.store.touch(session.id, startedAt, startedAt + deps.ttlMs);
      const messages = await deps.store.messages(session.id);
      return {
        plan: planTurn(session, messages, input.prompt, deps.planContext),
        timeoutMs: Math.min(input.timeoutMs ?? deps.requestTimeoutMs, deps.requestTimeoutMs),
      };
    },
    origin: { callerId: session.ownerId, conversationId: session.id },
    auditBody: input.auditBody ?? { prompt: input.prompt },
  });
  let outcome: TurnOutcome | undefined;

  async function* recorded(): RunEvents {
    try {
      let text = '';
      let finish: { reason: FinishReason; usage: RunUsage } | undefined;
      for await (const event of started.events) {
        yield event;
        if (event.type === 'error') return;
        if (event.type === 'text_delta') text += event.text;
        if (event.type === 'finish') finish = { reason: event.reason, usage: event.usage };
      }
      if (!finish) return;
      const endedAt = deps.now();
      outcome = {
        sessionId: session.id,
        response: text,
        usage: finish.usage,
        stopReason: finish.reason,
        costUsd: summary?.costUsd ?? 0,
        durationMs: summary?.durationMs ?? endedAt - startedAt,
      };
      // Only a finished turn joins the transcript: it is what the next turn's history is rebuilt from.
      if (await deps.store.get(session.id)) {
        await deps.store.recordTurn(session.id, {
          user: { role: 'user', content: input.prompt, at: startedAt },
          assistant: { role: 'assistant', content: text, at: endedAt },
          usage: finish.usage,
          costUsd: outcome.costUsd,
          expiresAt: endedAt + deps.ttlMs,
        });
      }
    } finally {
      onEnd();
    }
  }

  return { events: recorded(), requestsPerMinute: started.requestsPerMinute, outcome: () => outcome };
}
