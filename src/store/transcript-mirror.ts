import type { SessionKey, SessionStore, SessionStoreEntry } from '@anthropic-ai/claude-agent-sdk';
import type { Kysely } from 'kysely';
import type { StoreEngine } from './engine.js';
import type { StoreSchema } from './schema.js';
import type { TranscriptPrefetch } from './transcript-prefetch.js';

// Well under SQLite's 32766 and PostgreSQL's 65535 bound parameters per statement (6 per row).
const ROWS_PER_INSERT = 500;
const MAIN = '';

/**
 * The Agent SDK's `SessionStore` on the gateway's database: Claude Code still writes its transcript
 * locally, and the SDK mirrors every line here; on resume it loads the session from here when the
 * local file is missing (another instance ran the earlier turns), so a conversation continues as
 * the same Claude Code session on whichever gateway the turn lands.
 *
 * Only a session the conversation index holds keeps a transcript, since the index is what ends
 * sessions and deletes their transcripts. Claude Code goes on writing after its turn's answer (the
 * last prompt, its cost state) while it exits, by when the session may have been ended on any
 * gateway (a deleted native session): those entries are dropped instead of outliving the session.
 */
export function transcriptMirror(
  db: Kysely<StoreSchema>,
  engine: StoreEngine,
  now: () => number = Date.now,
  prefetch?: TranscriptPrefetch,
): SessionStore {
  const scope = (key: { projectKey: string; sessionId: string }) =>
    db
      .selectFrom('transcript_entries')
      .where('session_id', '=', key.sessionId)
      .where('project_key', '=', key.projectKey);

  return {
    async append(key: SessionKey, entries: SessionStoreEntry[]) {
      const at = now();
      const rows = entries.map((entry) => ({
        project_key: key.projectKey,
        session_id: key.sessionId,
        subpath: key.subpath ?? MAIN,
        uuid: typeof entry.uuid === 'string' ? entry.uuid : null,
        entry: JSON.stringify(entry),
        appended_at: at,
      }));
      await db.transaction().execute(async (trx) => {
        // On PostgreSQL the session's index row is held until the entries are in: an ending that
        // races this append waits for it, and then deletes these entries with the session's.
        const tracked = await trx
          .selectFrom('conversations')
          .select('id')
          .where('id', '=', key.sessionId)
          .$if(engine === 'postgres', (query) => query.forKeyShare())
          .executeTakeFirst();
        if (!tracked) return;
        for (let start = 0; start < rows.length; start += ROWS_PER_INSERT) {
          await trx
            .insertInto('transcript_entries')
            .values(rows.slice(start, start + ROWS_PER_INSERT))
            // A retried batch (same uuids) lands once.
            .onConflict((oc) => oc.columns(['project_key', 'session_id', 'subpath', 'uuid']).doNothing())
            .execute();
        }
      });
    },

    async load(key: SessionKey) {
      if ((key.subpath ?? MAIN) === MAIN) {
        const prefetched = prefetch?.takeMain(key.projectKey, key.sessionId);
        if (prefetched !== undefined) return prefetched;
      }
      const rows = await scope(key)
        .select('entry')
        .where('subpath', '=', key.subpath ?? MAIN)
        .orderBy('seq')
        .execute();
      return rows.length === 0 ? null : rows.map((row) => JSON.parse(row.entry) as SessionStoreEntry);
    },

    async listSessions(projectKey: string) {
      const rows = await db
        .selectFrom('transcript_entries')
        .select((eb) => ['session_id', eb.fn.max('appended_at').as('mtime')])
        .where('project_key', '=', projectKey)
        .where('subpath', '=', MAIN)
        .groupBy('session_id')
        .execute();
      return rows.map((row) => ({ sessionId: row.session_id, mtime: Math.floor(Number(row.mtime)) }));
    },

    async listSubkeys(key: { projectKey: string; sessionId: string }) {
      const prefetched = prefetch?.takeSubkeys(key.projectKey, key.sessionId);
      if (prefetched !== undefined) return prefetched;
      const rows = await scope(key).select('subpath').distinct().where('subpath', '<>', MAIN).execute();
      return rows.map((row) => row.subpath);
    },

    async delete(key: SessionKey) {
      // The main transcript goes with its subagent transcripts; a subpath goes alone.
      let query = db
        .deleteFrom('transcript_entries')
        .where('session_id', '=', key.sessionId)
        .where('project_key', '=', key.projectKey);
      if (key.subpath !== undefined) query = query.where('subpath', '=', key.subpath);
      await query.execute();
    },
  };
}
