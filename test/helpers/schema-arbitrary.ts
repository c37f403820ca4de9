/**
 * JSON Schema (as /openapi.json writes it: OpenAPI 3.1, `$ref` into components) to fast-check
 * arbitraries: values the schema accepts, and values that break it at one place. Covers the keywords
 * the gateway's zod-generated document uses; anything else generates any small JSON value.
 */
import fc from 'fast-check';

export type Schema = Record<string, unknown>;

export interface SchemaContext {
  /** The whole document, for `$ref`. */
  document: Record<string, unknown>;
  /** Values worth trying for a property name besides random ones (served model ids, say). */
  hints?: Record<string, readonly unknown[]>;
  /** Nesting below which optional fields are left out and arrays kept empty. */
  maxDepth?: number;
}

const ANY_SMALL_JSON = fc.jsonValue({ maxDepth: 2 });

export function resolve(schema: Schema, context: SchemaContext): Schema {
  let current = schema;
  for (let hops = 0; typeof current.$ref === 'string' && hops < 10; hops++) {
    const pointer = current.$ref.replace(/^#\//, '').split('/');
    let target: unknown = context.document;
    for (const part of pointer) {
      target = (target as Record<string, unknown>)[part.replaceAll('~1', '/').replaceAll('~0', '~')];
    }
    current = (target ?? {}) as Schema;
  }
  return current;
}

/** Values the schema accepts (as far as these keywords go). */
export function validValue(
  schema: Schema,
  context: SchemaContext,
  depth = 0,
  name?: string,
): fc.Arbitrary<unknown> {
  const resolved = resolve(schema, context);
  const hinted = name !== undefined ? context.hints?.[name] : undefined;
  const plain = plainValue(resolved, context, depth);
  return hinted && hinted.length > 0 ? fc.oneof(fc.constantFrom(...hinted), plain) : plain;
}

function plainValue(schema: Schema, context: SchemaContext, depth: number): fc.Arbitrary<unknown> {
  const maxDepth = context.maxDepth ?? 4;
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum) && schema.enum.length > 0)
    return fc.constantFrom(...(schema.enum as unknown[]));
  const alternatives = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (Array.isArray(alternatives) && alternatives.length > 0) {
    return fc.oneof(...alternatives.map((alternative) => validValue(alternative, context, depth + 1)));
  }
  const types = Array.isArray(schema.type) ? (schema.type as string[]) : [schema.type as string | undefined];
  const arbitraries = types.map((type) => typedValue(type, schema, context, depth, maxDepth));
  return arbitraries.length === 1 ? (arbitraries[0] as fc.Arbitrary<unknown>) : fc.oneof(...arbitraries);
}

function typedValue(
  type: string | undefined,
  schema: Schema,
  context: SchemaContext,
  depth: number,
  maxDepth: number,
): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'string': {
      const minLength = Number(schema.minLength ?? 0);
      const maxLength = Math.min(Number(schema.maxLength ?? 12), Math.max(minLength, 12));
      return fc.string({ minLength, maxLength });
    }
    case 'integer':
    case 'number': {
      const min =
        typeof schema.minimum === 'number'
          ? schema.minimum
          : typeof schema.exclusiveMinimum === 'number'
            ? schema.exclusiveMinimum + 1
            : -5;
      const max = typeof schema.maximum === 'number' ? schema.maximum : Math.max(min + 100, 100);
      return fc.integer({ min: Math.ceil(min), max: Math.floor(Math.min(max, min + 100_000)) });
    }
    case 'array': {
      const items = (schema.items ?? {}) as Schema;
      const minLength = Number(schema.minItems ?? 0);
      const maxLength =
        depth >= maxDepth ? minLength : Math.max(minLength, Math.min(Number(schema.maxItems ?? 3), 3));
      return fc.array(validValue(items, context, depth + 1), { minLength, maxLength });
    }
    case 'object':
      return objectValue(schema, context, depth, maxDepth);
    default:
      return ANY_SMALL_JSON;
  }
}

function objectValue(schema: Schema, context: SchemaContext, depth: number, maxDepth: number) {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required ?? []) as string[]);
  const names = Object.keys(properties).filter((name) => required.has(name) || depth < maxDepth);
  const model: Record<string, fc.Arbitrary<unknown>> = {};
  for (const name of names) model[name] = validValue(properties[name] as Schema, context, depth + 1, name);
  return fc.record(model, { requiredKeys: names.filter((name) => required.has(name)) });
}

/**
 * A value the schema refuses at one place: the wrong type, a required field left out or of the wrong
 * type, a string far over its length, a number out of range. Where a schema refuses nothing, it is
 * still a value of another kind.
 */
export function brokenValue(schema: Schema, context: SchemaContext): fc.Arbitrary<unknown> {
  const resolved = resolve(schema, context);
  const options: fc.Arbitrary<unknown>[] = [
    fc.constantFrom<unknown>(null, 0, -1, 'x', [], true, {}, 1e300, 'x'.repeat(5_000)),
  ];
  const properties = (resolved.properties ?? {}) as Record<string, Schema>;
  const names = Object.keys(properties);
  if (names.length > 0) {
    const valid = validValue(resolved, context) as fc.Arbitrary<Record<string, unknown>>;
    const required = (resolved.required ?? []) as string[];
    if (required.length > 0) {
      options.push(
        fc.tuple(valid, fc.constantFrom(...required)).map(([value, name]) => {
          const { [name]: _dropped, ...rest } = value;
          return rest;
        }),
      );
    }
    options.push(
      fc
        .tuple(
          valid,
          fc.constantFrom(...names),
          fc.constantFrom<unknown>(12345, 'x', [], { nested: true }, -1, 'x'.repeat(20_000)),
        )
        .map(([value, name, wrong]) => ({ ...value, [name]: wrong })),
    );
  }
  return fc.oneof(...options);
}
