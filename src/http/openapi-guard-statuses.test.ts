import { describe, expect, it } from 'vitest';
import type { JsonObject } from './openapi-document.js';
import { declareGuardStatuses } from './openapi-guard-statuses.js';

const nativeError = { 'application/json': { schema: { $ref: '#/components/schemas/NativeError' } } };

function documentWith(paths: Record<string, Record<string, JsonObject>>): JsonObject {
  return { openapi: '3.1.0', paths };
}

const guarded = {
  isPublic: (path: string) => path === '/health',
  hasOwnSignIn: (path: string) => path.startsWith('/console'),
};

describe('declareGuardStatuses', () => {
  it('adds what the guards answer, in the shape of the operation’s own errors', () => {
    const document = documentWith({
      '/api/v1/sessions': {
        post: {
          requestBody: { content: {} },
          responses: { 201: { description: 'Created.' }, 404: { description: 'No.', content: nativeError } },
        },
      },
      '/health': { get: { responses: { 200: { description: 'OK.' } } } },
      '/console/api/keys': { get: { responses: { 200: { description: 'Keys.' } } } },
    });
    declareGuardStatuses(document, guarded);
    const paths = document.paths as Record<string, Record<string, { responses: Record<string, JsonObject> }>>;
    const sessions = paths['/api/v1/sessions']?.post?.responses ?? {};
    expect(Object.keys(sessions).sort()).toEqual(['201', '400', '401', '403', '404', '413', '503']);
    expect(sessions[503]?.content).toEqual(nativeError);
    // Public: only the keyless gateway's Host check; no key, no drain.
    expect(Object.keys(paths['/health']?.get?.responses ?? {}).sort()).toEqual(['200', '403']);
    expect(paths['/health']?.get?.responses[403]?.content).toEqual({
      'application/json': { schema: { $ref: '#/components/schemas/Error' } },
    });
    // Its own sign-in: no API key 401 added.
    expect(Object.keys(paths['/console/api/keys']?.get?.responses ?? {}).sort()).toEqual([
      '200',
      '403',
      '503',
    ]);
  });

  it('keeps what an operation declares itself, and its 529 instead of a 503', () => {
    const document = documentWith({
      '/v1/messages': {
        post: {
          responses: {
            401: { description: 'Own words.' },
            529: { description: 'Overloaded.' },
          },
        },
      },
    });
    declareGuardStatuses(document, guarded);
    const responses = (
      document.paths as Record<string, Record<string, { responses: Record<string, JsonObject> }>>
    )['/v1/messages']?.post?.responses;
    expect(responses?.[401]?.description).toBe('Own words.');
    expect(responses?.[503]).toBeUndefined();
  });
});
