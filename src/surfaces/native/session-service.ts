import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { Admission } from '../../contract/admission.js';
import { GatewayError } from '../../contract/gateway-error.js';
import type { Principal } from '../../contract/key-policy.js';
import type {
  NativeMessage,
  NativeSessionRecord,
  NativeSessionStore,
} from '../../contract/ports/native-sessions.js';
import { ZERO_USAGE } from '../../contract/run-events.js';
import type { RunService, RunSummary } from '../../contract/run-service.js';
import type { RecordTurn, TurnInfo, TurnRecord } from '../../core/accounting/turn-accounting.js';
import {
  createEncoderState,
  encodeRunEvent,
  finishEncoding,
  type NativeStreamEvent,
} from './encode-stream.js';
import { sessionBusy, sessionLimitReached, sessionNotFound } from './errors.js';
import { checkKeyMayUse, sessionAsk } from './key-rules.js';
import type { CreateSessionBody } from './schema.js';
import { type NativePlanContext, planSession, toRunPlan } from './to-plan.js';

export interface NativeSessionsDeps {
  store: NativeSessionStore;
  runService: RunService;
  planContext: NativePlanContext;
  /** Idle time after which a session is gone (SESSION_TTL_MS). */
  ttlMs: number;
  maxPerKey: number;
  maxTotal: number;
  /** The server's bound on one turn (REQUEST_TIMEOUT_MS); a client's `timeout` may only shorten it. */
  requestTimeoutMs: number;
  /**
   * Ends what the core keeps for a conversation (its Claude Code session files, a hot process):
   * called when a native session is deleted or expires.
   */
  endConversation?: (origin: NativeConversation) => Promise<void>;
  /**
   * The audit row and metrics of turns no HTTP middleware accounted for (WebSocket frames,
   * EventSource GETs). Absent: such turns are not recorded (tests, auth off).
   */
  recordTurn?: RecordTurn;
  /** How long a delete waits for an aborted turn to wind down before removing the session anyway. */
  abortWaitMs?: number;
  now?: () => number;
  newId?: () => string;
}

/** A native session as the core's conversation: its owner, its id, and the cwd its turns run in. */
export interface NativeConversation {
  callerId: string;
  conversationId: string;
  /** The session's agent cwd; undefined: the gateway's workspace. */
  cwd?: string;
}

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
  timeoutMs?: number;
  auditBody?: unknown;
  /** The HTTP request-accounting middleware records this turn: it gets the run's summary. */
  onSummary?: (summary: RunSummary) => void;
  /**
   * The turn came in outside a POST (WebSocket, EventSource): admission counts it against the key's
   * requests per minute, and it is recorded here, described like this.
   */
  unaccounted?: TurnInfo;
}

export interface NativeSessionStats {
  /** Sessions that exist now (not expired, not deleted), on every gateway sharing the store. */
  active: number;
  /** Sessions ever created, ended ones included, on every gateway sharing the store. */
  total: number;
  /** Turns running now on this gateway (the one process that answers). */
  running: number;
}

export interface NativeSessions {
  create(caller: Caller, body: CreateSessionBody): Promise<NativeSessionRecord>;
  list(caller: Caller): Promise<NativeSessionRecord[]>;
  /** The caller's session; another key's or an expired one is a 404. */
  get(caller: Caller, id: string): Promise<NativeSessionRecord>;
  messages(caller: Caller, id: string): Promise<NativeMessage[]>;
  delete(caller: Caller, id: string): Promise<void>;
  isRunning(id: string): boolean;
  /**
   * Runs one turn. Refusals (404, 409, 400, admission) are the first and only event, so a route can
   * still answer them with their HTTP status. Returning early aborts the turn.
   */
  turn(input: TurnInput): AsyncGenerator<NativeStreamEvent, void, undefined>;
  stats(): Promise<NativeSessionStats>;
  /** Aborts every running turn (shutdown). */
  abortAll(): void;
}

interface RunningTurn {
  controller: AbortController;
  done: Promise<void>;
}

/** The native sessions: ownership, lifetime, one turn at a time, and each turn through the core. */
export function createNativeSessions(deps: NativeSessionsDeps): NativeSessions {
  const now = deps.now ?? Date.now;
  const newId = deps.newId ?? randomUUID;
  const running = new Map<string, RunningTurn>();

  async function forget(session: NativeSessionRecord): Promise<void> {
    await deps.store.delete(session.id);
    // Claude Code's leftovers only cost disk space and are swept at the next start; never fail on them.
    await deps
      .endConversation?.({
        callerId: session.ownerId,
        conversationId: session.id,
        ...(session.agent?.cwd !== undefined ? { cwd: session.agent.cwd } : {}),
      })
      .catch(() => undefined);
  }

  async function sweep(): Promise<void> {
    for (const session of await deps.store.expired(now())) {
      if (!running.has(session.id)) await forget(session);
    }
  }

  async function owned(caller: Caller, id: string): Promise<NativeSessionRecord> {
    await sweep();
    const session = await deps.store.get(id);
    // Another key's session answers exactly like a missing one: its existence is not disclosed.
    if (!session || session.ownerId !== caller.ownerId) throw sessionNotFound(id);
    return session;
  }

  /** Makes room under a cap by ending the least recently active idle session, or refuses. */
  async function makeRoom(ownerId: string | undefined, limit: number): Promise<void> {
    if ((await deps.store.count(ownerId)) < limit) return;
    const idle = (await deps.store.list(ownerId)).find((session) => !running.has(session.id));
    if (!idle) throw sessionLimitReached(limit);
    await forget(idle);
  }

  async function* runTurn(input: TurnInput): AsyncGenerator<NativeStreamEvent, void, undefined> {
    let session: NativeSessionRecord;
    try {
      session = await owned(input.caller, input.sessionId);
    } catch (error) {
      yield { event: 'error', error: asGatewayError(error) };
      return;
    }
    if (running.has(session.id)) {
      yield { event: 'error', error: sessionBusy(session.id) };
      return;
    }
    const controller = new AbortController();
    let settle = () => {};
    running.set(session.id, { controller, done: new Promise<void>((resolve) => (settle = resolve)) });
    const abortOnClient = () => controller.abort();
    input.signal.addEventListener('abort', abortOnClient, { once: true });
    if (input.signal.aborted) controller.abort();
    const principal = input.caller.principal;
    const record: TurnRecord | undefined =
      input.unaccounted && principal ? deps.recordTurn?.(principal, input.unaccounted) : undefined;
    let admission: Admission | undefined;
    try {
      try {
        // The key may have been narrowed since the session was made: its policy applies every turn.
        admission = await deps.runService.admit(principal, {
          ...sessionAsk(session),
          ...(input.unaccounted ? { countRequest: true } : {}),
        });
      } catch (error) {
        const refusal = asGatewayError(error);
        await record?.refused(refusal);
        yield { event: 'error', error: refusal };
        return;
      }
      const startedAt = now();
      await deps.store.touch(session.id, startedAt, startedAt + deps.ttlMs);
      const messages = await deps.store.messages(session.id);
      let plan: ReturnType<typeof toRunPlan>;
      try {
        plan = toRunPlan(session, messages, input.prompt, deps.planContext);
      } catch (error) {
        yield { event: 'error', error: asGatewayError(error) };
        return;
      }
      let summary: RunSummary | undefined;
      const state = createEncoderState();
      const timeoutMs = Math.min(input.timeoutMs ?? deps.requestTimeoutMs, deps.requestTimeoutMs);
      const events = deps.runService.run({
        surface: 'native',
        plan,
        admission,
        origin: { callerId: session.ownerId, conversationId: session.id },
        signal: controller.signal,
        requestId: input.requestId,
        timeoutMs,
        auditBody: input.auditBody ?? { prompt: input.prompt },
        onSummary: (reported) => {
          summary = reported;
          input.onSummary?.(reported);
          record?.onSummary(reported);
        },
      });
      for await (const event of events) {
        yield* encodeRunEvent(state, event);
        if (state.failed) return;
      }
      const endedAt = now();
      const ending = finishEncoding(state, {
        sessionId: session.id,
        costUsd: summary?.costUsd ?? 0,
        durationMs: summary?.durationMs ?? endedAt - startedAt,
      });
      const complete = ending.find((item) => item.event === 'complete');
      if (complete && (await deps.store.get(session.id))) {
        // Only a finished turn joins the transcript: it is what the next turn's history is rebuilt from.
        await deps.store.recordTurn(session.id, {
          user: { role: 'user', content: input.prompt, at: startedAt },
          assistant: { role: 'assistant', content: complete.data.response, at: endedAt },
          usage: complete.data.usage,
          costUsd: complete.data.costUsd,
          expiresAt: endedAt + deps.ttlMs,
        });
      }
      yield* ending;
    } finally {
      input.signal.removeEventListener('abort', abortOnClient);
      // A consumer that stopped early (client gone, cancel) must not leave Claude Code running.
      controller.abort();
      // Given back by the run when it ended; here when the turn ended before its run started.
      admission?.release();
      record?.finish();
      running.delete(session.id);
      settle();
    }
  }

  return {
    async create(caller, body) {
      await sweep();
      const planned = planSession(body, deps.planContext);
      if (caller.principal) checkKeyMayUse(caller.principal.policy, planned);
      await makeRoom(caller.ownerId, deps.maxPerKey);
      await makeRoom(undefined, deps.maxTotal);
      const at = now();
      const record: NativeSessionRecord = {
        id: newId(),
        ownerId: caller.ownerId,
        ...planned,
        createdAt: at,
        lastActivityAt: at,
        expiresAt: at + deps.ttlMs,
        usage: { ...ZERO_USAGE },
        costUsd: 0,
        messageCount: 0,
      };
      await deps.store.create(record);
      return record;
    },
    async list(caller) {
      await sweep();
      const sessions = await deps.store.list(caller.ownerId);
      return sessions.sort((a, b) => a.createdAt - b.createdAt);
    },
    get: owned,
    async messages(caller, id) {
      await owned(caller, id);
      return deps.store.messages(id);
    },
    async delete(caller, id) {
      const session = await owned(caller, id);
      const turn = running.get(id);
      if (turn) {
        turn.controller.abort();
        await Promise.race([turn.done, delay(deps.abortWaitMs ?? 5_000)]);
      }
      await forget(session);
    },
    isRunning: (id) => running.has(id),
    turn: runTurn,
    async stats() {
      await sweep();
      const [active, total] = await Promise.all([deps.store.count(), deps.store.createdCount()]);
      return { active, total, running: running.size };
    },
    abortAll() {
      for (const turn of running.values()) turn.controller.abort();
    },
  };
}

function asGatewayError(error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  throw error;
}
