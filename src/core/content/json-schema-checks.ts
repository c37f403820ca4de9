/**
 * The JSON Schema checks every surface needs before a run, as plain "what is wrong" strings so each
 * surface words its own 400 and names its own field: a client tool's parameters, and the schema of
 * structured output (Claude Code exits at start-up on one it cannot compile).
 */
import { Ajv } from 'ajv';

/** `$schema` values clients send (zod and the AI SDK: draft-07; LangChain: 2020-12). */
const KNOWN_META_SCHEMAS = new Set([
  'http://json-schema.org/draft-07/schema#',
  'http://json-schema.org/draft-07/schema',
  'https://json-schema.org/draft/2019-09/schema',
  'https://json-schema.org/draft/2020-12/schema',
]);

/** A function without parameters takes no arguments (OpenAI's reading of an absent schema). */
export const NO_PARAMETERS: Readonly<Record<string, unknown>> = { type: 'object', properties: {} };

/** What `json_object` asks for: any JSON object. */
export const ANY_JSON_OBJECT: Readonly<Record<string, unknown>> = {
  type: 'object',
  additionalProperties: true,
};

/** The schema without its `$schema` declaration, or the problem with that declaration. */
export function withoutMetaSchema(
  schema: Record<string, unknown>,
): { schema: Record<string, unknown> } | { problem: string } {
  const { $schema, ...rest } = schema;
  if ($schema !== undefined && !(typeof $schema === 'string' && KNOWN_META_SCHEMAS.has($schema))) {
    return {
      problem: `unsupported $schema ${JSON.stringify($schema)}; use JSON Schema draft-07 or 2020-12.`,
    };
  }
  return { schema: rest };
}

/** Why a tool's parameters are not an object schema Claude can take, or undefined. */
export function toolParametersProblem(parameters: Record<string, unknown>): string | undefined {
  if (parameters.type !== undefined && parameters.type !== 'object') {
    return 'parameters must be a JSON Schema of type "object".';
  }
  const stripped = withoutMetaSchema(parameters);
  if ('problem' in stripped) return stripped.problem;
  // Only the shape is checked, leniently about extra keywords (as OpenAI is); a fresh Ajv per
  // check because Ajv caches what it sees and a long-lived one would grow with every client schema.
  const ajv = new Ajv({ strict: false, validateFormats: false });
  return ajv.validateSchema(stripped.schema)
    ? undefined
    : ajv.errorsText(ajv.errors, { dataVar: 'parameters' });
}

/**
 * Why Claude Code would refuse this structured-output schema, or undefined. It compiles schemas as
 * draft-07, strict, formats not validated, so they are checked the same way here.
 */
export function outputSchemaProblem(schema: Record<string, unknown>): string | undefined {
  if (schema.type !== 'object') {
    return 'the schema must describe a JSON object: its top-level "type" must be "object".';
  }
  if (schema.$async !== undefined) return '$async schemas are not supported.';
  const ajv = new Ajv({ allErrors: true, validateFormats: false, multipleOfPrecision: 6 });
  try {
    if (!ajv.validateSchema(schema)) return ajv.errorsText(ajv.errors, { dataVar: 'schema' });
    ajv.compile(schema);
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}
