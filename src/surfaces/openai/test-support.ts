/**
 * Shared by the OpenAI family's unit tests: OpenAI's and the Open Responses schemas (extracts in
 * fixtures/, see scripts/extract-openai-schemas.ts) as checks. Test-only — production code must not
 * import it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';

/** Checks a value against one named schema of an extract; 'valid' or Ajv's errors. */
export type SchemaCheck = (name: string, value: unknown) => string;

/**
 * The schemas of a fixture extract (scripts/extract-openai-schemas.ts) as checks. OpenAI's API
 * sends `usage: null` until a response has usage and `user: null` when none was given (the Open
 * Responses schema requires both keys, nullable), while OpenAI's document types both as non-null:
 * the OpenAI extract is relaxed for exactly these two, so everything else in it is still checked.
 */
export function schemaChecks(fixture: 'openai' | 'openresponses'): SchemaCheck {
  const file = fixture === 'openai' ? 'openai-schemas.json' : 'openresponses-schemas.json';
  const spec = JSON.parse(readFileSync(path.join(import.meta.dirname, 'fixtures', file), 'utf8')) as {
    components: { schemas: Record<string, Record<string, unknown>> };
  };
  if (fixture === 'openai') relaxAsOpenAISends(spec.components.schemas);
  // OpenAPI 3.1 schemas are JSON Schema 2020-12 plus annotations (`x-*`, `example`, `discriminator`).
  const ajv = new Ajv2020({ strict: false, validateFormats: false, allErrors: true });
  ajv.addSchema(spec, fixture);
  return (name, value) => {
    const validate = ajv.getSchema(`${fixture}#/components/schemas/${name}`);
    if (!validate) throw new Error(`no schema ${name} in the ${fixture} extract`);
    return validate(value) ? 'valid' : ajv.errorsText(validate.errors);
  };
}

function relaxAsOpenAISends(schemas: Record<string, Record<string, unknown>>): void {
  const nullable = (schema: unknown) => ({ anyOf: [schema, { type: 'null' }] });
  const modelProperties = schemas.ModelResponseProperties?.properties as Record<string, unknown> | undefined;
  const responseParts = schemas.Response?.allOf as
    | Array<{ properties?: Record<string, unknown> }>
    | undefined;
  const responseOwn = responseParts?.find(
    (part) => part.properties && 'usage' in part.properties,
  )?.properties;
  if (!modelProperties?.user || !responseOwn?.usage) throw new Error('the OpenAI extract changed shape');
  modelProperties.user = nullable(modelProperties.user);
  responseOwn.usage = nullable(responseOwn.usage);
}
