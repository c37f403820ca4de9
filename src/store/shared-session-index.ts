import { randomUUID } from 'node:crypto';
import { type Kysely, sql } from 'kysely';
import {
  type ConversationOrigin,
  type EvictedSession,
  SHARED_WORKSPACE_CWD,
  type SharedSessionClaim,
  type SharedSessionIndex,
} from '../contract/ports/conversations.js';
import type { RunPlan } from '../contract/run-plan.js';
import { extendFingerprint, fingerprintTurns, scopeSeed } from '../core/sessions/fingerprint.js';
import type { StoreEngine } from './engine.js';
import type { PreparedStatements } from './prepared-statements.js';
import type { StoreSchema } from './schema.js';
import type { TranscriptPrefetch } from './transcript-prefetch.js';

export interface SharedSessionIndexOptions {
  engine: StoreEngine;
  ttlMs: number;
  maxCount: number;
  /** Longest a run may hold a session (the request timeout plus a margin). */
  claimTtlMs: number;
  /**
   * PostgreSQL: a continued session's transcript is read in the claiming statement and kept here
   * for the Agent SDK's resume (two round trips fewer before Claude Code starts).
   */
  prefetch?: TranscriptPrefetch;
  /** PostgreSQL: runs the claim by name, planned once per connection (with `prefetch`). */
  prepared?: PreparedStatements;
  /**
   * The sessions this gateway keeps a live process of, each at the version it holds: a claim of one
   * of those at that version reads no transcript (the process already holds it).
   */
  keptProcesses?: () => ReadonlyArray<KeptProcess>;
  /** Local clean-up for sessions gone for good (this gateway's files and hot processes). */
  onEvict?: (sessions: EvictedSession[]) => void;
  now?: () => number;
  /** The id of a new session; gets the plan so a process started ahead for it can lend its id. */
  newId?: (plan: RunPlan) => string;
}

export interface KeptProcess {
  sessionId: string;
  version: number;
}

/** Heads of conversations whose last turn this gateway committed, remembered for `beginAhead`. */
const COMMITTED_HEADS_MAX = 10_000;

// Any constant: the key of the advisory lock that elects one sweeper at a time.
const SWEEP_LOCK = 0x636773; // "cgs"

export function sharedSessionIndex(
  db: Kysely<StoreSchema>,
  options: SharedSessionIndexOptions,
): SharedSessionIndex {
  const now = options.now ?? Date.now;
  const newId = options.newId ?? (() => randomUUID());
  const evicted = (sessions: EvictedSession[]) => {
    if (sessions.length > 0) options.onEvict?.(sessions);
  };
  // Where this gateway left each conversation it committed a turn of, by the head that turn made.
  const committedHeads = new Map<string, { id: string; version: number; account: string | null }>();
  const rememberHead = (head: string, left: { id: string; version: number; account: string | null }) => {
    committedHeads.delete(head);
    committedHeads.set(head, left);
    if (committedHeads.size > COMMITTED_HEADS_MAX) {
      const [oldest] = committedHeads.keys();
      if (oldest !== undefined) committedHeads.delete(oldest);
    }
  };

  async function removeAll(trx: Kysely<StoreSchema>, sessions: EvictedSession[]): Promise<void> {
    if (sessions.length === 0) return;
    const ids = sessions.map((s) => s.id);
    await trx.deleteFrom('transcript_entries').where('session_id', 'in', ids).execute();
  }

  function claimFor(
    id: string,
    found: { continues: boolean; version: number },
    afterPrompt: string,
    key: string | null,
    isNew: boolean,
    account: string | null = null,
  ) {
    let open = true;
    const finish = () => {
      const wasOpen = open;
      open = false;
      options.prefetch?.drop(id);
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
      session: {
        id,
        continues: found.continues,
        version: found.version,
        ...(found.continues && account !== null ? { account } : {}),
      },
      async commit(reply, ranOn) {
        if (!finish()) return;
        const head = extendFingerprint(afterPrompt, reply);
        // Another idle session ending with the same history is now redundant; so is an older
        // session of the same named conversation.
        const redundant = (trx: Kysely<StoreSchema>) =>
          trx
            .deleteFrom('conversations')
            .where('id', '<>', id)
            .where('busy_until', 'is', null)
            .where((eb) =>
              key === null
                ? eb('head', '=', head)
                : eb.or([eb('head', '=', head), eb('conversation_key', '=', key)]),
            )
            .returning(['id', 'cwd']);
        // The new head in the statement that releases the claim: no turn is ever committed under a
        // version another gateway's kept process could still match.
        const release = {
          head,
          version: found.version + 1,
          busy_until: null,
          last_used_at: now(),
          account: ranOn ?? null,
        };
        const gone =
          options.engine === 'postgres'
            ? // One statement, one round trip: the CTEs touch disjoint rows and commit together.
              await db
                .with('gone', () => redundant(db))
                .with('released', (cte) =>
                  cte.updateTable('conversations').set(release).where('id', '=', id).returning('id'),
                )
                .with('transcripts', (cte) =>
                  cte
                    .deleteFrom('transcript_entries')
                    .where('session_id', 'in', (eb) => eb.selectFrom('gone').select('gone.id'))
                    .returning('session_id'),
                )
                .selectFrom('gone')
                .select(['gone.id', 'gone.cwd'])
                .execute()
                .then(async (rows) => {
                  // The statement read the transcripts as it began: an append holding a redundant
                  // session's row (a last turn's Claude Code still exiting) made it wait, and its
                  // entries are only visible to a statement of their own.
                  await removeAll(db, rows);
                  return rows;
                })
            : await db.transaction().execute(async (trx) => {
                const rows = await redundant(trx).execute();
                await trx.updateTable('conversations').set(release).where('id', '=', id).execute();
                await removeAll(trx, rows);
                return rows;
              });
        rememberHead(head, { id, version: release.version, account: release.account });
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

  /**
   * Claims the idle session whose history ends at `prefix`: one conditional UPDATE, so of two
   * gateways racing for it, one gets it. On PostgreSQL it also reads the transcript for the resume,
   * unless this gateway keeps a live process of the session at the version the row holds.
   */
  async function claimIdle(prefix: string, at: number): Promise<ClaimedRow | undefined> {
    const busyUntil = at + options.claimTtlMs;
    if (options.engine === 'postgres' && options.prepared && options.prefetch) {
      const kept = options.keptProcesses?.() ?? [];
      const [row] = await options.prepared.rows<ClaimedRow>(CLAIM_WITH_TRANSCRIPT, [
        busyUntil,
        at,
        prefix,
        kept.map((process) => process.sessionId),
        kept.map((process) => process.version),
      ]);
      return row;
    }
    return db
      .updateTable('conversations')
      .set({ busy_until: busyUntil, last_used_at: at })
      .where('id', '=', (eb) =>
        eb
          .selectFrom('conversations')
          .select('id')
          .where('head', '=', prefix)
          .where('busy_until', 'is', null)
          .limit(1),
      )
      .where('busy_until', 'is', null)
      .returning(['id', 'cwd', 'version', 'account'])
      .executeTakeFirst();
  }

  /**
   * The session a claim of `prefix` would give if nothing moved since this gateway committed its
   * last turn, when a process of it at that version is kept here; the claim still decides.
   */
  function foresee(prefix: string): SharedSessionClaim['session'] | undefined {
    const known = committedHeads.get(prefix);
    if (known === undefined) return undefined;
    // A head this gateway has moved on from since is no guess: its process holds a later version.
    const kept = options.keptProcesses?.() ?? [];
    if (!kept.some((process) => process.sessionId === known.id && process.version === known.version)) {
      return undefined;
    }
    return {
      id: known.id,
      continues: true,
      version: known.version,
      ...(known.account !== null ? { account: known.account } : {}),
    };
  }

  function beginAhead(plan: RunPlan, origin: ConversationOrigin = {}) {
    // Not the workspace's local path: gateways with other DATA_DIRs continue the same conversation.
    const cwd = plan.agent?.cwd ?? SHARED_WORKSPACE_CWD;
    const seed = scopeSeed([origin.callerId, origin.endUser, origin.conversationId, cwd]);
    const prefix = fingerprintTurns(seed, plan.history);
    const afterPrompt = extendFingerprint(prefix, { role: 'user', content: plan.prompt });
    const key = origin.conversationId === undefined ? null : seed;
    const foreseen = plan.history.length > 0 ? foresee(prefix) : undefined;
    return { foreseen, claim: claim(plan, { cwd, prefix, afterPrompt, key }) };
  }

  async function claim(
    plan: RunPlan,
    {
      cwd,
      prefix,
      afterPrompt,
      key,
    }: { cwd: string; prefix: string; afterPrompt: string; key: string | null },
  ): Promise<SharedSessionClaim> {
    const at = now();
    if (plan.history.length > 0) {
      const found = await claimIdle(prefix, at);
      if (found) {
        const projectKeys = found.project_keys ?? [];
        // Only an unambiguous transcript is handed over; otherwise the SDK asks the database.
        if (options.prefetch && projectKeys.length === 1) {
          options.prefetch.put(found.id, {
            projectKey: projectKeys[0] as string,
            mainEntries: found.main_entries ?? [],
            subkeys: found.subkeys ?? [],
          });
        }
        return claimFor(
          found.id,
          { continues: true, version: found.version },
          afterPrompt,
          key,
          false,
          found.account,
        );
      }
    }
    const id = newId(plan);
    await db
      .insertInto('conversations')
      .values({
        id,
        cwd,
        conversation_key: key,
        head: null,
        version: 0,
        busy_until: at + options.claimTtlMs,
        last_used_at: at,
        account: null,
      })
      .execute();
    // Nothing is stored under a new id: a history rebuilt for it is resumed from the transcript
    // this gateway writes (and a process started ahead to resume that id can serve it). Without a
    // history there is no resume to answer.
    if (plan.history.length > 0) options.prefetch?.put(id, { mainEntries: [], subkeys: [] });
    return claimFor(id, { continues: false, version: 0 }, afterPrompt, key, true);
  }

  return {
    begin: (plan, origin) => beginAhead(plan, origin).claim,
    beginAhead,

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
      const cwd = origin.cwd ?? SHARED_WORKSPACE_CWD;
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

interface ClaimedRow {
  id: string;
  cwd: string;
  version: number;
  account: string | null;
  /** PostgreSQL: the transcript read with the claim; null for a session kept live here. */
  project_keys?: string[] | null;
  main_entries?: string[] | null;
  subkeys?: string[] | null;
}

// Run by name (parsed and planned once per connection): on every turn's path, planning this
// statement anew each time took longer than its round trip. $4 and $5 are the sessions this gateway
// keeps a live process of and their versions: for those no transcript is read.
const CLAIM_WITH_TRANSCRIPT = {
  name: 'claude_gateway_claim_conversation_v1',
  text: `WITH kept(id, version) AS (SELECT * FROM unnest($4::text[], $5::integer[]))
UPDATE conversations SET busy_until = $1, last_used_at = $2
WHERE id = (SELECT c.id FROM conversations c WHERE c.head = $3 AND c.busy_until IS NULL LIMIT 1)
  AND busy_until IS NULL
RETURNING id, cwd, version, account,
  CASE WHEN (id, version) IN (SELECT id, version FROM kept) THEN NULL ELSE
    (SELECT array_agg(DISTINCT t.project_key) FROM transcript_entries t WHERE t.session_id = conversations.id)
  END AS project_keys,
  CASE WHEN (id, version) IN (SELECT id, version FROM kept) THEN NULL ELSE
    (SELECT array_agg(t.entry ORDER BY t.seq) FROM transcript_entries t WHERE t.session_id = conversations.id AND t.subpath = '')
  END AS main_entries,
  CASE WHEN (id, version) IN (SELECT id, version FROM kept) THEN NULL ELSE
    (SELECT array_agg(DISTINCT t.subpath) FROM transcript_entries t WHERE t.session_id = conversations.id AND t.subpath <> '')
  END AS subkeys`,
} as const;
