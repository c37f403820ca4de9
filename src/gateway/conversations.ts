import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import {
  type ConversationIndex,
  type EvictedSession,
  SHARED_WORKSPACE_CWD,
} from '../contract/ports/conversations.js';
import { diskUsage } from '../core/sessions/disk-budget.js';
import { createSessionStore } from '../core/sessions/session-store.js';
import {
  endedEverywhere,
  sharedConversations,
  startSharedSweep,
} from '../core/sessions/shared-conversations.js';
import { removeSession, sessionPaths } from '../engine/transcript.js';
import type { GatewayStore } from '../store/gateway-store.js';
import type { ClaudeDirs } from './claude-dirs.js';
import type { Engine } from './engine.js';

export interface ConversationsSetup {
  config: Config;
  store: GatewayStore;
  engine: Engine;
  dirs: ClaudeDirs;
  /** This gateway process among those sharing the database (its own notifications are ignored). */
  processTag: string;
  logger: Logger;
}

/** Which Claude Code session holds which client conversation (off when SESSION_MAX_COUNT is 0). */
export interface Conversations {
  /** What the run service asks; undefined: every run rebuilds its history. */
  index: ConversationIndex | undefined;
  /** Ends a named conversation at once (a deleted native session), here or on every gateway. */
  endConversation: ((origin: { callerId?: string; conversationId: string }) => Promise<void>) | undefined;
  close(): Promise<void>;
}

/**
 * In memory on one gateway; on a shared database (PostgreSQL), an index every gateway shares with
 * the transcripts mirrored beside it, so any gateway continues a conversation.
 */
export function buildConversations(setup: ConversationsSetup): Conversations {
  const { config, store, engine, dirs, logger } = setup;
  if (config.SESSION_MAX_COUNT <= 0) {
    return { index: undefined, endConversation: undefined, close: async () => undefined };
  }
  if (store.engine !== 'postgres') {
    const local = createSessionStore({
      ttlMs: config.SESSION_TTL_MS,
      maxCount: config.SESSION_MAX_COUNT,
      defaultCwd: config.workspaceDir,
      removeSession: (session) => removeSession(dirs.sessionDirs, session.cwd, session.id),
      // A new conversation takes a ready spare's session id, so that spare can serve its first turn.
      newId: (plan) => engine.promiseSessionId(plan) ?? randomUUID(),
      onEvict: (id) => engine.warm.forgetSession(id),
      maxBytes: config.SESSION_DISK_BUDGET_BYTES,
      measure: async (session) => diskUsage(await sessionPaths(dirs.sessionDirs, session.cwd, session.id)),
    });
    return {
      index: local,
      endConversation: (origin) => local.endConversation(origin),
      close: () => local.close(),
    };
  }
  // What this gateway keeps of a session ended for good: its local transcript copy and any process.
  const dropLocally = (sessions: EvictedSession[]) => {
    for (const session of sessions) {
      engine.warm.forgetSession(session.id);
      const cwd = session.cwd === SHARED_WORKSPACE_CWD ? config.workspaceDir : session.cwd;
      removeSession(dirs.sessionDirs, cwd, session.id).catch(() => undefined);
    }
  };
  // ...and every other gateway's, told through the database.
  const ended = store.notifications
    ? endedEverywhere(store.notifications, setup.processTag, dropLocally, logger)
    : undefined;
  const shared = store.sessionIndex({
    ttlMs: config.SESSION_TTL_MS,
    maxCount: config.SESSION_MAX_COUNT,
    claimTtlMs: config.REQUEST_TIMEOUT_MS + 60_000,
    // As on one machine: a new conversation takes the id of a process started ahead for it.
    newId: (plan) => engine.promiseSessionId(plan) ?? randomUUID(),
    // A turn this gateway holds the live process for reads no transcript in its claim.
    keptProcesses: () => engine.warm.hot.versions(),
    onEvict: (evicted) => (ended ? ended.ended(evicted) : dropLocally(evicted)),
  });
  const stopSweep = startSharedSweep(shared, 60_000, logger);
  return {
    index: sharedConversations(shared, logger),
    endConversation: async (origin) => {
      await shared.endConversation(origin);
    },
    close: async () => {
      stopSweep();
      ended?.stop();
    },
  };
}
