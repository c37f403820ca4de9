import { Ajv } from 'ajv';
import { invalidRequest } from '../../../contract/errors.js';
import type { ChatCompletionRequest } from './schema.js';

const SCHEMA_PARAM = 'response_format.json_schema.schema';

/** What `json_object` asks for: any JSON object. */
export const ANY_JSON_OBJECT: Readonly<Record<string, unknown>> = {
  type: 'object',
  additionalProperties: true,
};

/**
 * Meta-schema URIs that clients put in `$schema` (LangChain sends 2020-12, zod and the AI SDK send
 * draft-07). Claude Code compiles the schema as draft-07 and refuses a `$schema` it does not know,
 * so the declaration is dropped and the schema is checked the way Claude Code will check it.
 */
const DROPPABLE_META_SCHEMAS = new Set([
  'http://json-schema.org/draft-07/schema#',
  'http://json-schema.org/draft-07/schema',
  'https://json-schema.org/draft/2019-09/schema',
  'https://json-schema.org/draft/2020-12/schema',
]);

/**
 * The JSON Schema Claude Code's structured output should satisfy, or undefined for plain text.
 * Throws a 400 naming `response_format.json_schema.schema` for a schema Claude Code would refuse
 * (it exits at start-up on one), so the client learns why before a process is spawned.
 */
export function toOutputSchema(request: ChatCompletionRequest): Record<string, unknown> | undefined {
  const format = request.response_format;
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { ...ANY_JSON_OBJECT };
  const given = format.json_schema.schema;
  if (!given) throw invalidSchema('response_format.json_schema.schema is required for type json_schema.');
  const { $schema, ...rest } = given;
  if ($schema !== undefined && !(typeof $schema === 'string' && DROPPABLE_META_SCHEMAS.has($schema))) {
    throw invalidSchema(
      `Unsupported $schema ${JSON.stringify($schema)}; use JSON Schema draft-07 or 2020-12.`,
    );
  }
  if (rest.type !== 'object') {
    throw invalidSchema('The schema must describe a JSON object: its top-level "type" must be "object".');
  }
  const problem = compileProblem(rest);
  if (problem) throw invalidSchema(`The schema is not a valid JSON Schema: ${problem}`);
  return rest;
}

/**
 * Compiles the schema with the Ajv settings Claude Code uses (draft-07, strict, formats not
 * validated). A fresh instance per check: Ajv caches every schema it compiles, and a long-lived one
 * would grow with every distinct client schema.
 */
function compileProblem(schema: Record<string, unknown>): string | undefined {
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

function invalidSchema(message: string) {
  return invalidRequest(message, SCHEMA_PARAM, 'invalid_json_schema');
}
