import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import type { ClaudeTurn, RunPlan } from '../claude/run-plan.js';
import { extendFingerprint, fingerprintTurns, scopeSeed } from '../sessions/fingerprint.js';
import type { ConversationOrigin } from '../sessions/session-store.js';
import type { StoreEngine } from './engine.js';
import type { StoreSchema } from './schema.js';

/**
 * The conversation index of src/sessions/session-store.ts, kept in the database so every gateway
 * shares it: a turn that lands on any instance finds the Claude Code session holding its history
 * (same fingerprints, same rules), and the session's transcript comes from the transcript mirror.
 * Async where the in-memory index is not: every step is one statement or one short transaction.
 *
 * A claim marks the session busy until `claimTtlMs` from its start; a gateway that dies mid-run
 * leaves the mark, and the sweep evicts such sessions once it lapses (they may hold half a turn).
 */
export interface SharedSessionIndex {
  begin(plan: RunPlan, origin?: ConversationOrigin): Promise<SharedSessionClaim>;
  /**
   * Evicts sessions idle past the TTL, over the cap (oldest first) or whose claim lapsed, and deletes
   * their mirrored transcripts. On PostgreSQL only one gateway sweeps at a time (advisory lock);
   * the others return at once. Returns what it evicted.
   */
  sweep(): Promise<EvictedSession[]>;
  /** Sessions tracked, busy or resumable. */
  size(): Promise<number>;
  /**
   * Ends the idle sessions of one explicit conversation (a deleted native session) at once: their
   * index rows and mirrored transcripts go in one transaction. A session a run holds right now (on
   * any gateway) is left to settle and to the sweep. Returns what it ended.
   */
  endConversation(origin: EndedConversation): Promise<EvictedSession[]>;
}

export interface SharedSessionClaim {
  readonly session: { id: string; continues: boolean };
  commit(reply: ClaudeTurn): Promise<void>;
  abandon(): Promise<void>;
  cancel(): Promise<void>;
}

/** A conversation named by its caller, as its turns began it; `cwd` is the runs' (default: defaultCwd). */
export interface EndedConversation {
  callerId?: string;
  endUser?: string;
  conversationId: string;
  cwd?: string;
}

export interface EvictedSession {
  id: string;
  cwd: string;
}

export interface SharedSessionIndexOptions {
  engine: StoreEngine;
  ttlMs: number;
  maxCount: number;
  /** Longest a run may hold a session (the request timeout plus a margin). */
  claimTtlMs: number;
  defaultCwd: string;
  /** Local clean-up for sessions gone for good (this gateway's files and hot processes). */
  onEvict?: (sessions: EvictedSession[]) => void;
  now?: () => number;
  newId?: () => string;
}

// Any constant: the key of the advisory lock that elects one sweeper at a time.
const SWEEP_LOCK = 0x636773; // "cgs"

export function sharedSessionIndex(
  db: Kysely<StoreSchema>,
  options: SharedSessionIndexOptions,
): SharedSessionIndex {
  const now = options.now ?? Date.now;
  const newId = options.newId ?? randomUUID;
  const evicted = (sessions: EvictedSession[]) => {
    if (sessions.length > 0) options.onEvict?.(sessions);
  };

  async function removeAll(trx: Kysely<StoreSchema>, sessions: EvictedSession[]): Promise<void> {
    if (sessions.length === 0) return;
    const ids = sessions.map((s) => s.id);
    await trx.deleteFrom('transcript_entries').where('session_id', 'in', ids).execute();
  }

  function claimFor(id: string, continues: boolean, afterPrompt: string, key: string | null, isNew: boolean) {
    let open = true;
    const finish = () => {
      const wasOpen = open;
      open = false;
      return wasOpen;
    };
    const drop = async () => {
      const gone = await db.transaction().execute(async (trx) => {
        const rows = await trx
          .deleteFrom('conversations')
          .where('id', '=', id)
          .returning(['id', 'cwd'])
          .execute();
        await removeAll(trx, rows);
        return rows;
      });
      evicted(gone);
    };
    const claim: SharedSessionClaim = {
      session: { id, continues },
      async commit(reply) {
        if (!finish()) return;
        const head = extendFingerprint(afterPrompt, reply);
        const gone = await db.transaction().execute(async (trx) => {
          // Another idle session ending with the same history is now redundant; so is an older
          // session of the same named conversation.
          const rows = await trx
            .deleteFrom('conversations')
            .where('id', '<>', id)
            .where('busy_until', 'is', null)
            .where((eb) =>
              key === null
                ? eb('head', '=', head)
                : eb.or([eb('head', '=', head), eb('conversation_key', '=', key)]),
            )
            .returning(['id', 'cwd'])
            .execute();
          await trx
            .updateTable('conversations')
            .set({ head, busy_until: null, last_used_at: now() })
            .where('id', '=', id)
            .execute();
          await removeAll(trx, rows);
          return rows;
        });
        evicted(gone);
      },
      async abandon() {
        if (finish()) await drop();
      },
      async cancel() {
        if (!finish()) return;
        if (isNew) await drop();
        else await db.updateTable('conversations').set({ busy_until: null }).where('id', '=', id).execute();
      },
    };
    return claim;
  }

  return {
    async begin(plan, origin = {}) {
      const cwd = plan.agent?.cwd ?? options.defaultCwd;
      const seed = scopeSeed([origin.callerId, origin.endUser, origin.conversationId, cwd]);
      const prefix = fingerprintTurns(seed, plan.history);
      const afterPrompt = extendFingerprint(prefix, { role: 'user', content: plan.prompt });
      const key = origin.conversationId === undefined ? null : seed;
      const at = now();
      if (plan.history.length > 0) {
        // One conditional UPDATE: of two gateways racing for the same idle session, one gets it.
        const found = await db
          .updateTable('conversations')
          .set({ busy_until: at + options.claimTtlMs, last_used_at: at })
          .where('id', '=', (eb) =>
            eb
              .selectFrom('conversations')
              .select('id')
              .where('head', '=', prefix)
              .where('busy_until', 'is', null)
              .limit(1),
          )
          .where('busy_until', 'is', null)
          .returning(['id', 'cwd'])
          .executeTakeFirst();
        if (found) return claimFor(found.id, true, afterPrompt, key, false);
      }
      const id = newId();
      await db
        .insertInto('conversations')
        .values({
          id,
          cwd,
          conversation_key: key,
          head: null,
          busy_until: at + options.claimTtlMs,
          last_used_at: at,
        })
        .execute();
      return claimFor(id, false, afterPrompt, key, true);
    },

    async sweep() {
      const at = now();
      const gone = await db.transaction().execute(async (trx) => {
        if (options.engine === 'postgres') {
          const { rows } = await sql<{
            locked: boolean;
          }>`SELECT pg_try_advisory_xact_lock(${SWEEP_LOCK}) AS locked`.execute(trx);
          if (!rows[0]?.locked) return [];
        }
        const stale = await trx
          .deleteFrom('conversations')
          .where((eb) =>
            eb.or([
              eb.and([eb('busy_until', 'is', null), eb('last_used_at', '<=', at - options.ttlMs)]),
              eb('busy_until', '<', at),
            ]),
          )
          .returning(['id', 'cwd'])
          .execute();
        const { n } = await trx
          .selectFrom('conversations')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow();
        const excess = Number(n) - options.maxCount;
        const capped =
          excess > 0
            ? await trx
                .deleteFrom('conversations')
                .where('id', 'in', (eb) =>
                  eb
                    .selectFrom('conversations')
                    .select('id')
                    .where('busy_until', 'is', null)
                    .orderBy('last_used_at')
                    .limit(excess),
                )
                .returning(['id', 'cwd'])
                .execute()
            : [];
        const all = [...stale, ...capped];
        await removeAll(trx, all);
        return all;
      });
      evicted(gone);
      return gone;
    },

    async endConversation(origin) {
      const cwd = origin.cwd ?? options.defaultCwd;
      // The same key `begin` gave the conversation's sessions.
      const key = scopeSeed([origin.callerId, origin.endUser, origin.conversationId, cwd]);
      const gone = await db.transaction().execute(async (trx) => {
        const rows = await trx
          .deleteFrom('conversations')
          .where('conversation_key', '=', key)
          .where('busy_until', 'is', null)
          .returning(['id', 'cwd'])
          .execute();
        await removeAll(trx, rows);
        return rows;
      });
      evicted(gone);
      return gone;
    },

    async size() {
      const { n } = await db
        .selectFrom('conversations')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      return Number(n);
    },
  };
}
