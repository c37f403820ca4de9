/**
 * A probe answered from its last result for `ttlMs`: /ready is public and polled, and each real
 * probe writes to the store, so a flood of probes must not become a flood of writes.
 */
export function cachedProbe<T>(probe: () => T, ttlMs: number, now: () => number = Date.now): () => T {
  let last: { at: number; value: T } | undefined;
  return () => {
    const at = now();
    if (last === undefined || at - last.at >= ttlMs) last = { at, value: probe() };
    return last.value;
  };
}
