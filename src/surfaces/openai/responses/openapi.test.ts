/**
 * The Responses routes as /openapi.json describes them, generated from their definitions, checked
 * against OpenAI's own CreateResponse schema (the extract in fixtures/, see
 * scripts/extract-openai-schemas.ts): a field the gateway documents is a field OpenAI defines.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openAdmission } from '../../../contract/admission.js';
import { buildOpenApiDocument } from '../../../http/openapi-document.js';
import { createBackgroundResponses } from './background.js';
import { responsesRoutes } from './route.js';
import { memoryResponsesStore } from './test-support.js';

interface Schema {
  $ref?: string;
  allOf?: Schema[];
  properties?: Record<string, unknown>;
  required?: string[];
}

const openAI = (
  JSON.parse(
    readFileSync(path.join(import.meta.dirname, '..', 'fixtures', 'openai-schemas.json'), 'utf8'),
  ) as {
    components: { schemas: Record<string, Schema> };
  }
).components.schemas;

/** Every property a schema has, through `allOf` and `$ref`, as OpenAI composes CreateResponse. */
function propertiesOf(schema: Schema): Set<string> {
  const found = new Set(Object.keys(schema.properties ?? {}));
  const referenced = schema.$ref ? openAI[schema.$ref.replace('#/components/schemas/', '')] : undefined;
  for (const part of [...(schema.allOf ?? []), ...(referenced ? [referenced] : [])]) {
    for (const name of propertiesOf(part)) found.add(name);
  }
  return found;
}

const unusedDeps = {
  runs: {
    admit: openAdmission,
    run: () => {
      throw new Error('no run in a documentation test');
    },
  },
  store: memoryResponsesStore(),
  background: createBackgroundResponses({ store: memoryResponsesStore(), maxFollowMs: 1 }),
  countTokens: (text: string) => text.length,
  resolveModel: (model: string) => model,
  systemPromptPlacement: 'replace' as const,
  attachments: { maxBytes: 1, remoteImages: false },
  ttlMs: 1,
  keepAliveMs: 1,
};

describe('the OpenAPI document of the Responses routes', () => {
  const doc = buildOpenApiDocument({ version: 'test' }, [
    { prefix: '/v1', routes: responsesRoutes(unusedDeps) },
  ]) as {
    paths: Record<string, Record<string, { requestBody?: unknown; responses: Record<string, unknown> }>>;
    components: { schemas: Record<string, Schema> };
  };

  it('describes POST /v1/responses with its request schema, and GET/DELETE by id', () => {
    expect(Object.keys(doc.paths['/v1/responses'] ?? {})).toEqual(['post']);
    expect(Object.keys(doc.paths['/v1/responses/{id}'] ?? {}).sort()).toEqual(['delete', 'get']);
    expect(doc.paths['/v1/responses']?.post?.requestBody).toMatchObject({
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ResponsesRequest' } } },
    });
    expect(Object.keys(doc.paths['/v1/responses']?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '400', '401', '404', '429']),
    );
  });

  it('documents only request fields OpenAI’s CreateResponse defines, the ones clients rely on among them', () => {
    const ours = Object.keys(doc.components.schemas.ResponsesRequest?.properties ?? {});
    expect(ours).toEqual(
      expect.arrayContaining(['model', 'input', 'previous_response_id', 'tools', 'text', 'stream']),
    );
    const createResponse = openAI.CreateResponse;
    if (!createResponse) throw new Error('CreateResponse is missing from the extract');
    const theirs = propertiesOf(createResponse);
    expect(ours.filter((name) => !theirs.has(name))).toEqual([]);
  });
});
