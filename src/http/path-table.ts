/**
 * What a surface declares for the paths it owns (its error renderer, its rate-limit headers): the
 * longest registered prefix that matches a path wins, whole path segments only.
 */
export interface PathTable<T> {
  /** `prefix` matches the path itself and anything below it (`/v1/messages` covers `/v1/messages/batches`). */
  register(prefix: string, value: T): void;
  lookup(path: string): T | undefined;
}

export function createPathTable<T>(): PathTable<T> {
  const entries: Array<{ prefix: string; value: T }> = [];
  return {
    register(prefix, value) {
      const normalized = prefix.endsWith('/') && prefix.length > 1 ? prefix.slice(0, -1) : prefix;
      entries.push({ prefix: normalized, value });
      // Longest prefix first, so /v1/messages wins over /v1.
      entries.sort((a, b) => b.prefix.length - a.prefix.length);
    },
    lookup(path) {
      const match = entries.find(
        ({ prefix }) => path === prefix || path.startsWith(prefix === '/' ? '/' : `${prefix}/`),
      );
      return match?.value;
    },
  };
}
