import { type ZodType, z } from 'zod';

export type JsonObject = Record<string, unknown>;

/** What one surface adds to the OpenAPI document: its component schemas and its paths. */
export interface OpenApiFragment {
  schemas: Record<string, JsonObject>;
  paths: Record<string, JsonObject>;
}

/** JSON Schema of what a route accepts, from the very zod schema it validates with. */
export function inputSchema(schema: ZodType): JsonObject {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, {
    io: 'input',
    target: 'draft-2020-12',
    unrepresentable: 'any',
  }) as JsonObject;
  return rest;
}
