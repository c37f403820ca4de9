/**
 * JSON with object keys sorted, so equal data always serialises the same (for hashing). Only plain
 * data takes part: for a function, a class instance or a non-finite number the result is undefined,
 * because such values cannot be compared by their serialisation.
 */
export function canonicalJson(value: unknown): string | undefined {
  const out = { text: '' };
  return write(value, out) ? out.text : undefined;
}

// One pass that appends to one string: every turn of a conversation is serialised on each request
// (its fingerprint), so this is on the first token's path.
function write(value: unknown, out: { text: string }): boolean {
  switch (typeof value) {
    case 'string':
      out.text += JSON.stringify(value);
      return true;
    case 'boolean':
      out.text += value ? 'true' : 'false';
      return true;
    case 'number':
      if (!Number.isFinite(value)) return false;
      out.text += JSON.stringify(value);
      return true;
    case 'object':
      if (value === null) {
        out.text += 'null';
        return true;
      }
      return Array.isArray(value) ? writeArray(value, out) : writeObject(value, out);
    default:
      return false;
  }
}

function writeArray(items: readonly unknown[], out: { text: string }): boolean {
  out.text += '[';
  for (let index = 0; index < items.length; index++) {
    if (index > 0) out.text += ',';
    // A hole or an undefined item has no JSON of its own.
    if (!write(items[index], out)) return false;
  }
  out.text += ']';
  return true;
}

function writeObject(value: object, out: { text: string }): boolean {
  if (!isPlainObject(value)) return false;
  const fields = value as Record<string, unknown>;
  out.text += '{';
  let first = true;
  for (const name of Object.keys(fields).sort()) {
    const field = fields[name];
    if (field === undefined) continue;
    out.text += first ? `${JSON.stringify(name)}:` : `,${JSON.stringify(name)}:`;
    first = false;
    if (!write(field, out)) return false;
  }
  out.text += '}';
  return true;
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
