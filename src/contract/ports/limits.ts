export interface SharedConcurrency {
  /** Takes a slot of `keyId` (shared by every gateway) or returns undefined when all `limit` are taken. */
  tryAcquire(keyId: string, limit: number): Promise<(() => Promise<void>) | undefined>;
  /** Keys' slots taken right now, across instances; for tests and inspection. */
  running(keyId: string): Promise<number>;
  /** Stops renewing and gives back this instance's leases. */
  close(): Promise<void>;
}

export interface RateWindowHit {
  /** Hits in the current window, this one included. */
  totalHits: number;
  resetTime: Date;
}

/**
 * A requests-per-minute counter every gateway on the database shares: one row per key holding its
 * window's start and hits. A window opens at the key's first run and lasts `windowMs`, as with the
 * in-memory window of a single gateway. Each hit is one atomic upsert (the row lock serializes
 * instances), so N instances together admit exactly the limit per window, with no slack.
 * Admission (core/admission/requests-per-minute.ts) counts every run of a limited key in it.
 */
export interface SharedRateWindow {
  increment(key: string): Promise<RateWindowHit>;
  get(key: string): Promise<RateWindowHit | undefined>;
  decrement(key: string): Promise<void>;
  resetKey(key: string): Promise<void>;
}
