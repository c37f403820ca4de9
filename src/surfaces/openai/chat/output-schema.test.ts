import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../contract/gateway-error.js';
import { toOutputSchema } from './output-schema.js';
import type { ChatCompletionRequest } from './schema.js';

function request(responseFormat: unknown): ChatCompletionRequest {
  return {
    model: 'sonnet',
    messages: [{ role: 'user', content: 'x' }],
    response_format: responseFormat,
  } as ChatCompletionRequest;
}

function jsonSchema(schema: unknown) {
  return request({ type: 'json_schema', json_schema: { name: 'x', schema } });
}

function problem(format: ChatCompletionRequest): GatewayError {
  try {
    toOutputSchema(format);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a 400');
}

describe('toOutputSchema', () => {
  it('asks for nothing with no format or text', () => {
    expect(toOutputSchema(request(undefined))).toBeUndefined();
    expect(toOutputSchema(request({ type: 'text' }))).toBeUndefined();
  });

  it('asks for any object for json_object', () => {
    expect(toOutputSchema(request({ type: 'json_object' }))).toEqual({
      type: 'object',
      additionalProperties: true,
    });
  });

  it('passes a valid schema through, dropping a known $schema declaration', () => {
    const schema = {
      type: 'object',
      properties: {
        tags: { type: 'array', items: { type: 'string' } },
        at: { type: 'string', format: 'date' },
      },
      required: ['tags'],
      additionalProperties: false,
      $defs: { unused: { type: 'number' } },
    };
    expect(toOutputSchema(jsonSchema(schema))).toEqual(schema);
    expect(
      toOutputSchema(jsonSchema({ $schema: 'https://json-schema.org/draft/2020-12/schema', ...schema })),
    ).toEqual(schema);
    expect(
      toOutputSchema(jsonSchema({ $schema: 'http://json-schema.org/draft-07/schema#', ...schema })),
    ).toEqual(schema);
  });

  it.each([
    ['no schema', undefined],
    ['a top-level string', { type: 'string' }],
    ['no top-level type', { properties: {} }],
    ['an invalid type', { type: 'object', properties: { a: { type: 'float' } } }],
    ['a non-array required', { type: 'object', required: 'a' }],
    ['an unknown keyword', { type: 'object', properties: { a: { type: 'string', examplez: [] } } }],
    ['a 2020-12-only keyword', { type: 'object', properties: { a: { type: 'array', prefixItems: [] } } }],
    ['an unresolvable $ref', { type: 'object', properties: { a: { $ref: '#/$defs/nope' } } }],
    ['an async schema', { type: 'object', $async: true }],
    ['an unknown $schema', { $schema: 'http://json-schema.org/draft-04/schema#', type: 'object' }],
  ])('refuses %s with a 400 naming the schema', (_, schema) => {
    expect(problem(jsonSchema(schema))).toMatchObject({
      status: 400,
      param: 'response_format.json_schema.schema',
      code: 'invalid_json_schema',
    });
  });
});
