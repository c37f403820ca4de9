import type { SessionStore } from '@anthropic-ai/claude-agent-sdk';
import type { Logger } from 'pino';
import { storeUnavailable } from '../auth/auth-errors.js';
import type { OptionExtender } from '../claude/runner.js';
import type { EvictedSession, SharedSessionIndex } from '../store/shared-session-index.js';
import type { ConversationIndex, SessionClaim } from './session-store.js';

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
  return {
    async begin(plan, origin) {
      const claim = await index.begin(plan, origin).catch((err: unknown) => {
        logger.error({ err }, 'conversation index unreachable');
        throw storeUnavailable();
      });
      const { id } = claim.session;
      const shared: SessionClaim = {
        session: claim.session,
        commit: (reply) => settle('commit', id, () => claim.commit(reply))(),
        abandon: settle('abandon', id, () => claim.abandon()),
        cancel: settle('cancel', id, () => claim.cancel()),
      };
      return shared;
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
 * Adds the transcript mirror to the options of every run in a tracked session: Claude Code's
 * transcript is copied to the store as it is written, and a resume loads it from there when this
 * gateway has no local copy. (Options holding it cannot be matched to a spare or a hot process, so
 * such turns always start Claude Code: a process kept by one gateway could miss turns another ran.)
 */
export function mirrorTranscripts(transcripts: SessionStore): OptionExtender {
  return (plan, options) => (plan.session ? { ...options, sessionStore: transcripts } : options);
}
