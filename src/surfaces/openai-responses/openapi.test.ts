import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument } from '../../docs/openapi-document.js';

describe('the OpenAPI document', () => {
  it('describes POST /v1/responses with its request schema, and GET/DELETE by id', () => {
    const doc = buildOpenApiDocument({ version: 'test' }) as {
      paths: Record<string, Record<string, unknown>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    expect(Object.keys(doc.paths['/v1/responses'] ?? {})).toEqual(['post']);
    expect(Object.keys(doc.paths['/v1/responses/{id}'] ?? {}).sort()).toEqual(['delete', 'get']);
    const properties = Object.keys(doc.components.schemas.ResponsesRequest?.properties ?? {});
    expect(properties).toEqual(
      expect.arrayContaining(['model', 'input', 'previous_response_id', 'tools', 'text']),
    );
    // The document is served as JSON: it must survive serialisation as it is.
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });
});
