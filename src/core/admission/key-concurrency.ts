import { concurrencyExceeded } from '../../contract/policy-errors.js';

/** Takes a slot of a key's concurrency limit or throws the 429; the returned function gives it back. */
export interface ConcurrencyLimiter {
  acquire(keyId: string, limit: number | undefined): (() => void) | Promise<() => void>;
}

/** Counts the requests each key has running and refuses one over its limit. In memory, per gateway. */
export class KeyConcurrency implements ConcurrencyLimiter {
  readonly #running = new Map<string, number>();

  running(keyId: string): number {
    return this.#running.get(keyId) ?? 0;
  }

  /** Takes a slot or throws the 429; the returned function gives it back (calling it twice is harmless). */
  acquire(keyId: string, limit: number | undefined): () => void {
    const running = this.running(keyId);
    if (limit !== undefined && running >= limit) throw concurrencyExceeded(limit);
    this.#running.set(keyId, running + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.running(keyId) - 1;
      if (left > 0) this.#running.set(keyId, left);
      else this.#running.delete(keyId);
    };
  }
}
