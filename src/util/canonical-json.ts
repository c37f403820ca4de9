/**
 * JSON with object keys sorted, so equal data always serialises the same (for hashing). Only plain
 * data takes part: for a function, a class instance or a non-finite number the result is undefined,
 * because such values cannot be compared by their serialisation.
 */
export function canonicalJson(value: unknown): string | undefined {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : undefined;
  if (Array.isArray(value)) {
    const items = value.map(canonicalJson);
    return items.includes(undefined) ? undefined : `[${items.join(',')}]`;
  }
  if (typeof value === 'object' && isPlainObject(value)) {
    const parts: string[] = [];
    for (const name of Object.keys(value).sort()) {
      const field = (value as Record<string, unknown>)[name];
      if (field === undefined) continue;
      const encoded = canonicalJson(field);
      if (encoded === undefined) return undefined;
      parts.push(`${JSON.stringify(name)}:${encoded}`);
    }
    return `{${parts.join(',')}}`;
  }
  return undefined;
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
