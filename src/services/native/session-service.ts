import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type {
  NativeMessage,
  NativeSessionRecord,
  NativeSessionStore,
} from '../../contract/ports/native-sessions.js';
import { ZERO_USAGE } from '../../contract/run-events.js';
import type { RunService } from '../../contract/run-service.js';
import { sessionBusy, sessionLimitReached, sessionNotFound } from './errors.js';
import { checkKeyMayUse } from './key-rules.js';
import { type NativePlanContext, type NewSession, planSession } from './plan-turn.js';
import { type Caller, runSessionTurn, type SessionTurn, type TurnInput } from './session-turn.js';

export type { Caller, SessionTurn, TurnInput, TurnOutcome } from './session-turn.js';

export interface NativeSessionsDeps {
  store: NativeSessionStore;
  runs: RunService;
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

export interface NativeSessionStats {
  /** Sessions that exist now (not expired, not deleted), on every gateway sharing the store. */
  active: number;
  /** Sessions ever created, ended ones included, on every gateway sharing the store. */
  total: number;
  /** Turns running now on this gateway (the one process that answers). */
  running: number;
}

export interface NativeSessions {
  create(caller: Caller, request: NewSession): Promise<NativeSessionRecord>;
  list(caller: Caller): Promise<NativeSessionRecord[]>;
  /** The caller's session; another key's or an expired one is a 404. */
  get(caller: Caller, id: string): Promise<NativeSessionRecord>;
  messages(caller: Caller, id: string): Promise<NativeMessage[]>;
  delete(caller: Caller, id: string): Promise<void>;
  isRunning(id: string): boolean;
  /**
   * Starts one turn. Refusals (404, 409, 400, admission) and failures before the run's first event
   * are thrown, so a route can still answer them with their HTTP status. The session is busy until
   * the turn's events are consumed or given up (which aborts the turn).
   */
  turn(input: TurnInput): Promise<SessionTurn>;
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
  const turnDeps = { ...deps, now };
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

  /** Marks the session busy until the returned function is called; the client leaving aborts the turn. */
  function occupy(sessionId: string, clientSignal: AbortSignal): { signal: AbortSignal; end: () => void } {
    const controller = new AbortController();
    let settle = () => {};
    running.set(sessionId, { controller, done: new Promise<void>((resolve) => (settle = resolve)) });
    const abortOnClient = () => controller.abort();
    clientSignal.addEventListener('abort', abortOnClient, { once: true });
    if (clientSignal.aborted) controller.abort();
    return {
      signal: controller.signal,
      end: () => {
        clientSignal.removeEventListener('abort', abortOnClient);
        // A consumer that stopped early (client gone, cancel) must not leave Claude Code running.
        controller.abort();
        running.delete(sessionId);
        settle();
      },
    };
  }

  return {
    async create(caller, request) {
      await sweep();
      const planned = planSession(request, deps.planContext);
      if (caller.principal) checkKeyMayUse(caller.principal.policy, planned, deps.planContext);
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
    async turn(input) {
      const session = await owned(input.caller, input.sessionId);
      if (running.has(session.id)) throw sessionBusy(session.id);
      const occupied = occupy(session.id, input.signal);
      try {
        return await runSessionTurn(turnDeps, session, { ...input, signal: occupied.signal }, occupied.end);
      } catch (error) {
        occupied.end();
        throw error;
      }
    },
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
