import type { SessionStore } from '@anthropic-ai/claude-agent-sdk';
import type { Logger } from 'pino';
import { storeUnavailable } from '../../contract/auth-errors.js';
import type {
  ConversationIndex,
  EvictedSession,
  SessionClaim,
  SharedSessionClaim,
  SharedSessionIndex,
} from '../../contract/ports/conversations.js';
import { CHANNELS, type StoreNotifications } from '../../contract/ports/notifications.js';
import type { TranscriptMirror } from '../../engine/options/claude-launch.js';
import type { LaunchExtender } from '../../engine/options/plan-launch.js';

/**
 * The shared conversation index as a run's ConversationIndex. A database that does not answer when
 * a run starts is a 503 (nothing can tell which session holds the conversation); one that fails when
 * a run settles only costs the continuation: the session's claim lapses and it is swept.
 */
export function sharedConversations(index: SharedSessionIndex, logger: Logger): ConversationIndex {
  const settle = (step: string, id: string, work: () => Promise<unknown>) => async () => {
    await work().catch((err: unknown) =>
      logger.warn({ err, session: id }, `conversation ${step} not recorded`),
    );
  };
  const shareClaim = (claimed: SharedSessionClaim): SessionClaim => {
    const { id } = claimed.session;
    return {
      session: claimed.session,
      commit: (reply, account) => settle('commit', id, () => claimed.commit(reply, account))(),
      abandon: settle('abandon', id, () => claimed.abandon()),
      cancel: settle('cancel', id, () => claimed.cancel()),
    };
  };
  const unreachable = (err: unknown): never => {
    // The database is away, not a bug here: the reason, without a stack.
    logger.warn(
      { reason: err instanceof Error ? err.message : String(err) },
      'conversation index unreachable',
    );
    throw storeUnavailable();
  };
  return {
    async begin(plan, origin) {
      return shareClaim(await index.begin(plan, origin).catch(unreachable));
    },
    beginAhead(plan, origin) {
      const ahead = index.beginAhead(plan, origin);
      return { foreseen: ahead.foreseen, claim: ahead.claim.then(shareClaim, unreachable) };
    },
  };
}

/** Runs the shared sweep every `intervalMs`; only one gateway at a time does the work (its lock). */
export function startSharedSweep(index: SharedSessionIndex, intervalMs: number, logger: Logger): () => void {
  const timer = setInterval(() => {
    index.sweep().then(
      (evicted: EvictedSession[]) => {
        if (evicted.length > 0) logger.debug({ evicted: evicted.length }, 'conversations swept');
      },
      (err: unknown) => logger.warn({ err }, 'conversation sweep failed'),
    );
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}

/**
 * The transcripts' project key for runs in the gateway's own workspace. The Agent SDK keys a
 * mirrored transcript by the run's cwd (sanitized), and each gateway's workspace is under its own
 * DATA_DIR: under that key a gateway with another DATA_DIR would find nothing and rebuild the
 * conversation as a new session. Not a sanitized path (those start with "-"), so it meets none.
 */
export const WORKSPACE_PROJECT_KEY = 'gateway-workspace';

/**
 * Adds the transcript mirror to the launch of every run in a tracked session: Claude Code's
 * transcript is copied to the store as it is written, and a resume loads it from there. A process
 * kept from a turn (or a spare that serves a new conversation) goes on mirroring; it serves the
 * session's next turn only if no other gateway committed one since (the session's version).
 * Runs in the workspace are mirrored under WORKSPACE_PROJECT_KEY; agent runs under their cwd.
 */
export function mirrorTranscripts(transcripts: SessionStore): LaunchExtender {
  const workspace: TranscriptMirror = {
    name: WORKSPACE_PROJECT_KEY,
    store: underProjectKey(transcripts, WORKSPACE_PROJECT_KEY),
  };
  const byCwd: TranscriptMirror = { name: 'project-cwd', store: transcripts };
  return (plan, launch) => {
    if (!plan.session) return launch;
    return { ...launch, transcriptMirror: plan.agent?.cwd === undefined ? workspace : byCwd };
  };
}

/** `store` with every project key it is asked about replaced by `projectKey`. */
export function underProjectKey(store: SessionStore, projectKey: string): SessionStore {
  const rekey = <Key extends { projectKey: string }>(key: Key): Key => ({ ...key, projectKey });
  return {
    append: (key, entries) => store.append(rekey(key), entries),
    load: (key) => store.load(rekey(key)),
    ...(store.listSessions
      ? { listSessions: () => store.listSessions?.(projectKey) ?? Promise.resolve([]) }
      : {}),
    ...(store.listSessionSummaries
      ? { listSessionSummaries: () => store.listSessionSummaries?.(projectKey) ?? Promise.resolve([]) }
      : {}),
    ...(store.listSubkeys
      ? { listSubkeys: (key) => store.listSubkeys?.(rekey(key)) ?? Promise.resolve([]) }
      : {}),
    ...(store.delete ? { delete: (key) => store.delete?.(rekey(key)) ?? Promise.resolve() } : {}),
  };
}

/** How an ended-sessions signal looks on the wire: who sent it and which sessions ended. */
interface EndedSignal {
  from: string;
  sessions: EvictedSession[];
}

// NOTIFY payloads must stay under 8000 bytes; session ids and cwds are short, so batch well under it.
const MAX_SIGNAL_BYTES = 6_000;

export interface EndedEverywhere {
  /** Ends `sessions` here at once and tells the other gateways to drop what they keep of them. */
  ended(sessions: EvictedSession[]): void;
  stop(): void;
}

/**
 * Sessions ended for good (swept, or their native session deleted) are dropped by every gateway
 * sharing the database, not only the one that ended them: each may keep that session's local
 * transcript copy or a process for it. This gateway cleans up at once; the others on a signal
 * (best effort: what a gateway misses stays until its own next start cleans its scratch dir).
 */
export function endedEverywhere(
  notifications: StoreNotifications,
  instanceTag: string,
  endHere: (sessions: EvictedSession[]) => void,
  logger: Logger,
): EndedEverywhere {
  const stop = notifications.subscribe(CHANNELS.conversationsEnded, (payload) => {
    const signal = parseEndedSignal(payload);
    if (signal && signal.from !== instanceTag) endHere(signal.sessions);
  });
  return {
    ended(sessions) {
      endHere(sessions);
      for (const batch of batches(sessions)) {
        const payload = JSON.stringify({ from: instanceTag, sessions: batch } satisfies EndedSignal);
        notifications
          .publish(CHANNELS.conversationsEnded, payload)
          .catch((err: unknown) => logger.warn({ err }, 'other gateways not told of ended conversations'));
      }
    },
    stop,
  };
}

function batches(sessions: EvictedSession[]): EvictedSession[][] {
  const all: EvictedSession[][] = [];
  let current: EvictedSession[] = [];
  let bytes = 0;
  for (const session of sessions) {
    const size = Buffer.byteLength(JSON.stringify(session));
    if (current.length > 0 && bytes + size > MAX_SIGNAL_BYTES) {
      all.push(current);
      current = [];
      bytes = 0;
    }
    current.push({ id: session.id, cwd: session.cwd });
    bytes += size;
  }
  if (current.length > 0) all.push(current);
  return all;
}

function parseEndedSignal(payload: string): EndedSignal | undefined {
  try {
    const value = JSON.parse(payload) as Partial<EndedSignal>;
    if (typeof value.from !== 'string' || !Array.isArray(value.sessions)) return undefined;
    const sessions = value.sessions.filter(
      (session): session is EvictedSession =>
        typeof session?.id === 'string' && typeof session?.cwd === 'string',
    );
    return { from: value.from, sessions };
  } catch {
    return undefined;
  }
}
