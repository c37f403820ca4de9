import { randomUUID } from 'node:crypto';
import type { ConversationOrigin, SessionClaim } from '../../contract/ports/conversations.js';
import type { RunPlan } from '../../contract/run-plan.js';
import { overBudget } from './disk-budget.js';
import { extendFingerprint, fingerprintTurns, scopeSeed } from './fingerprint.js';

/**
 * Which Claude Code session holds which OpenAI conversation.
 *
 * OpenAI clients resend the whole history on every turn. When a request's history (every turn up to
 * and including the last assistant reply) is exactly what an earlier run of the same caller ended
 * with, the session that run left behind already holds it: the run resumes that session and sends
 * only the new turn. Anything else (a new or edited history) is rebuilt from the request and tracked
 * from then on.
 *
 * How a run uses it (chat-service.ts does this):
 *
 *   const claim = sessions.begin(plan, origin); // before anything rewrites the plan's blocks
 *   plan.session = claim.session;                // { id, continues }
 *   ...run...
 *   claim.commit(replyTurn); // it ended cleanly: the session now holds history + prompt + reply
 *   claim.abandon();         // it failed after it started: the session may hold half a turn, drop it
 *   claim.cancel();          // it never started: the session stays as it was
 *
 * `session.id` is the Claude Code session id (a random UUID the caller never sees) and stays the same
 * for the whole life of a conversation, so a component that keeps a live Claude Code process per
 * conversation can key it by that id: `continues: true` guarantees the session is exactly at its last
 * commit and nobody else holds it until this claim ends (a second request for a conversation that is
 * busy gets a fresh session instead). `onEvict(id)` reports every session that is gone for good (TTL,
 * size cap, replaced, abandoned, shutdown): end anything kept for it.
 */
export interface SessionStore {
  begin(plan: RunPlan, origin?: ConversationOrigin): SessionClaim;
  /**
   * Ends every idle session of one explicit conversation (a deleted native session) and deletes its
   * files; a session still running is ended when its run settles (it is abandoned or replaced).
   */
  endConversation(origin: { callerId?: string; conversationId: string }): Promise<void>;
  /** Sessions currently tracked (in flight or resumable). */
  readonly size: number;
  /** Forgets every session and deletes its files. */
  close(): Promise<void>;
}

export interface SessionStoreOptions {
  ttlMs: number;
  maxCount: number;
  /** The cwd of runs without one of their own (plain chat); sessions are stored per cwd. */
  defaultCwd: string;
  /** Deletes what Claude Code keeps for a session. */
  removeSession(session: { id: string; cwd: string }): Promise<void>;
  onEvict?: (id: string) => void;
  /**
   * SESSION_DISK_BUDGET_BYTES: when set with `measure`, each session is measured after every commit
   * and the least recently used are evicted while all of them together take more.
   */
  maxBytes?: number;
  measure?: (session: { id: string; cwd: string }) => Promise<number>;
  now?: () => number;
  /** The id of a new session; gets the plan so a pre-started process fit for it can lend its id. */
  newId?: (plan: RunPlan) => string;
}

interface Entry {
  id: string;
  cwd: string;
  /** Set for sessions named by an explicit conversation id. */
  conversationKey: string | undefined;
  /** Caller and explicit conversation id, for ending a conversation whatever its cwd or end user. */
  conversation: string | undefined;
  /** Fingerprint of what the session holds; undefined until its first commit. */
  head: string | undefined;
  /** The pooled account its last committed turn ran under. */
  account: string | undefined;
  busy: boolean;
  lastUsedAt: number;
  /** Disk bytes at its last measurement. */
  bytes: number;
}

export function createSessionStore(options: SessionStoreOptions): SessionStore {
  const now = options.now ?? Date.now;
  const newId = options.newId ?? (() => randomUUID());
  // Insertion order is recency order: an entry is re-inserted whenever it is used.
  const entries = new Map<string, Entry>();
  const byHead = new Map<string, Entry>();

  function touch(entry: Entry): void {
    entry.lastUsedAt = now();
    entries.delete(entry.id);
    entries.set(entry.id, entry);
  }

  function evict(entry: Entry): Promise<void> {
    if (!entries.delete(entry.id)) return Promise.resolve();
    if (entry.head !== undefined && byHead.get(entry.head) === entry) byHead.delete(entry.head);
    options.onEvict?.(entry.id);
    // A leftover file only costs disk space and is swept at the next start; never fail a request on it.
    return options.removeSession({ id: entry.id, cwd: entry.cwd }).catch(() => undefined);
  }

  function sweep(): void {
    const cutoff = now() - options.ttlMs;
    for (const entry of [...entries.values()]) {
      if (!entry.busy && entry.lastUsedAt <= cutoff) evict(entry);
    }
    let excess = entries.size - options.maxCount;
    for (const entry of [...entries.values()]) {
      if (excess <= 0) break;
      if (entry.busy) continue;
      evict(entry);
      excess--;
    }
  }

  function keepWithinBudget(entry: Entry): void {
    const { maxBytes, measure } = options;
    if (!maxBytes || !measure) return;
    measure({ id: entry.id, cwd: entry.cwd })
      .then((bytes) => {
        if (!entries.has(entry.id)) return;
        entry.bytes = bytes;
        for (const evicted of overBudget(entries.values(), maxBytes)) evict(evicted);
      })
      // Measuring is best effort: a failure leaves the last known size and never fails a request.
      .catch(() => undefined);
  }

  function claimFor(entry: Entry, continues: boolean, afterPrompt: string): SessionClaim {
    let open = true;
    const finish = (): boolean => {
      if (!open) return false;
      open = false;
      entry.busy = false;
      return entries.has(entry.id);
    };
    return {
      session: {
        id: entry.id,
        continues,
        ...(continues && entry.account !== undefined ? { account: entry.account } : {}),
      },
      commit(reply, account) {
        if (!finish()) return;
        if (entry.head !== undefined && byHead.get(entry.head) === entry) byHead.delete(entry.head);
        const head = extendFingerprint(afterPrompt, reply);
        const previous = byHead.get(head);
        if (previous && previous !== entry && !previous.busy) evict(previous);
        byHead.set(head, entry);
        entry.head = head;
        entry.account = account;
        touch(entry);
        if (entry.conversationKey !== undefined) {
          for (const other of [...entries.values()]) {
            if (other !== entry && !other.busy && other.conversationKey === entry.conversationKey)
              evict(other);
          }
        }
        sweep();
        keepWithinBudget(entry);
      },
      abandon() {
        if (finish()) evict(entry);
      },
      cancel() {
        if (finish() && entry.head === undefined) evict(entry);
      },
    };
  }

  return {
    begin(plan, origin = {}) {
      sweep();
      const cwd = plan.agent?.cwd ?? options.defaultCwd;
      const seed = scopeSeed([origin.callerId, origin.endUser, origin.conversationId, cwd]);
      const prefix = fingerprintTurns(seed, plan.history);
      const afterPrompt = extendFingerprint(prefix, { role: 'user', content: plan.prompt });
      const found = plan.history.length > 0 ? byHead.get(prefix) : undefined;
      if (found && !found.busy) {
        found.busy = true;
        touch(found);
        return claimFor(found, true, afterPrompt);
      }
      const entry: Entry = {
        id: newId(plan),
        cwd,
        conversationKey: origin.conversationId === undefined ? undefined : seed,
        conversation: conversationOf(origin),
        head: undefined,
        account: undefined,
        busy: true,
        lastUsedAt: now(),
        bytes: 0,
      };
      entries.set(entry.id, entry);
      sweep();
      return claimFor(entry, false, afterPrompt);
    },
    async endConversation(origin) {
      const conversation = conversationOf(origin);
      const ending = [...entries.values()].filter(
        (entry) => !entry.busy && entry.conversation === conversation,
      );
      await Promise.all(ending.map(evict));
    },
    get size() {
      return entries.size;
    },
    async close() {
      const all = [...entries.values()];
      entries.clear();
      byHead.clear();
      await Promise.all(
        all.map((entry) => {
          options.onEvict?.(entry.id);
          return options.removeSession({ id: entry.id, cwd: entry.cwd }).catch(() => undefined);
        }),
      );
    },
  };
}

function conversationOf(origin: { callerId?: string; conversationId?: string }): string | undefined {
  return origin.conversationId === undefined
    ? undefined
    : JSON.stringify([origin.callerId ?? null, origin.conversationId]);
}
