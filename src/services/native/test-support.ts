/**
 * Shared by the native sessions' tests (service and routes): the real Kysely store over in-memory
 * SQLite, a scripted run service, and the sessions over both with a clock the test moves.
 * Test-only: excluded from the build.
 */
import type { Admit } from '../../contract/admission.js';
import type { Principal } from '../../contract/key-policy.js';
import type { NativeSessionStore } from '../../contract/ports/native-sessions.js';
import { type RunEvent, ZERO_USAGE } from '../../contract/run-events.js';
import type { RunRequest } from '../../contract/run-service.js';
import { fakeRunService, type Script } from '../../core/test-support.js';
import { connectStore } from '../../store/engine.js';
import { createNativeSessionStore } from '../../store/kysely-native-sessions.js';
import { migrateToLatest } from '../../store/migrations.js';
import { createNativeSessions } from './session-service.js';

export const usage = { ...ZERO_USAGE, inputTokens: 3, outputTokens: 2 };

/** Answers `echo: <prompt>` and reports a summary with a cost, as the run service does. */
export async function* echo(request: RunRequest): AsyncGenerator<RunEvent, void, undefined> {
  const prompt = request.plan.prompt[0];
  const text = prompt?.type === 'text' ? prompt.text : '?';
  yield { type: 'message_start' };
  yield { type: 'text_delta', text: 'echo: ' };
  yield { type: 'text_delta', text };
  yield { type: 'finish', reason: 'end_turn', usage };
  request.onSummary?.({
    surface: 'native',
    model: request.plan.model,
    outcome: 'ok',
    usage,
    costUsd: 0.25,
    costEstimated: false,
    durationMs: 40,
    queueWaitMs: 0,
  });
}

/** The real Kysely store over an in-memory SQLite database; each call waits for its migrations. */
export function memoryNativeSessions(): NativeSessionStore {
  const { db, engine } = connectStore({ engine: 'sqlite', file: ':memory:' });
  const ready = migrateToLatest(db, engine);
  const store = createNativeSessionStore(db);
  return {
    create: async (record) => ready.then(() => store.create(record)),
    get: async (id) => ready.then(() => store.get(id)),
    list: async (ownerId) => ready.then(() => store.list(ownerId)),
    count: async (ownerId) => ready.then(() => store.count(ownerId)),
    createdCount: async () => ready.then(() => store.createdCount()),
    messages: async (id) => ready.then(() => store.messages(id)),
    recordTurn: async (id, turn) => ready.then(() => store.recordTurn(id, turn)),
    delete: async (id) => ready.then(() => store.delete(id)),
    touch: async (id, at, expiresAt) => ready.then(() => store.touch(id, at, expiresAt)),
    expired: async (now) => ready.then(() => store.expired(now)),
  };
}

export function principal(id: string, policy: Principal['policy'] = {}): Principal {
  return { id, name: id, admin: false, source: 'store', policy };
}

/** The sessions over the in-memory store and a scripted run service; `sonnet` and `opus` are served. */
export function sessionsForTest(
  script: Script = echo,
  options: {
    maxPerKey?: number;
    admit?: Admit;
    /** Another gateway's store, to act as a second gateway on one database. */
    store?: NativeSessionStore;
  } = {},
) {
  const run = fakeRunService(script, options.admit);
  const ended: string[] = [];
  let clock = 1_000_000;
  const sessions = createNativeSessions({
    store: options.store ?? memoryNativeSessions(),
    runs: run.service,
    planContext: {
      resolveModel: (name) => (name === 'sonnet' || name === 'opus' ? `claude-${name}` : undefined),
      allows: (allowed, requested) => allowed.includes(requested),
      defaultModel: 'sonnet',
      systemPromptPlacement: 'replace',
    },
    ttlMs: 60_000,
    maxPerKey: options.maxPerKey ?? 10,
    maxTotal: 100,
    requestTimeoutMs: 30_000,
    endConversation: async (origin) => {
      ended.push(origin.conversationId);
    },
    now: () => clock,
  });
  return { sessions, run, ended, advance: (ms: number) => (clock += ms) };
}
