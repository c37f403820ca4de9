import { type Kysely, sql } from 'kysely';
import type { RateWindowHit, SharedRateWindow } from '../contract/ports/limits.js';
import type { StoreSchema } from './schema.js';

export function sharedRateWindow(
  db: Kysely<StoreSchema>,
  windowMs: number,
  now: () => number = Date.now,
): SharedRateWindow {
  return {
    async increment(key: string): Promise<RateWindowHit> {
      const at = now();
      const expired = sql<boolean>`rate_windows.window_start <= ${at - windowMs}`;
      const row = await db
        .insertInto('rate_windows')
        .values({ key_id: key, window_start: at, hits: 1 })
        .onConflict((oc) =>
          oc.column('key_id').doUpdateSet({
            hits: sql`CASE WHEN ${expired} THEN 1 ELSE rate_windows.hits + 1 END`,
            window_start: sql`CASE WHEN ${expired} THEN ${at} ELSE rate_windows.window_start END`,
          }),
        )
        .returning(['hits', 'window_start'])
        .executeTakeFirstOrThrow();
      return { totalHits: Number(row.hits), resetTime: new Date(Number(row.window_start) + windowMs) };
    },
    async get(key: string): Promise<RateWindowHit | undefined> {
      const row = await db
        .selectFrom('rate_windows')
        .select(['hits', 'window_start'])
        .where('key_id', '=', key)
        .where('window_start', '>', now() - windowMs)
        .executeTakeFirst();
      return row ? { totalHits: row.hits, resetTime: new Date(row.window_start + windowMs) } : undefined;
    },
    async decrement(key: string): Promise<void> {
      await db
        .updateTable('rate_windows')
        .set({ hits: sql`CASE WHEN hits > 0 THEN hits - 1 ELSE 0 END` })
        .where('key_id', '=', key)
        .execute();
    },
    async resetKey(key: string): Promise<void> {
      await db.deleteFrom('rate_windows').where('key_id', '=', key).execute();
    },
  };
}
