import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../contract/gateway-error.js';
import { documentBlock, imageBlock } from './attachment-blocks.js';
import { outputSchemaProblem, toolParametersProblem, withoutMetaSchema } from './json-schema-checks.js';

const PNG_1PX =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
const limits = { maxBytes: 1_000, remoteImages: false };

function failure(run: () => unknown): Pick<GatewayError, 'status' | 'kind' | 'param' | 'code'> {
  try {
    run();
  } catch (error) {
    if (error instanceof GatewayError) {
      return { status: error.status, kind: error.kind, param: error.param, code: error.code };
    }
    throw error;
  }
  throw new Error('expected a GatewayError');
}

describe('attachment blocks', () => {
  it('takes the media type from the bytes, not from the label', () => {
    expect(imageBlock(`data:image/jpeg;base64,${PNG_1PX}`, 'p', limits)).toEqual({
      type: 'image',
      source: { type: 'base64', media_type: 'image/png', data: PNG_1PX },
    });
  });

  it('names the field of every refusal in the caller terms', () => {
    expect(
      failure(() => imageBlock('https://example.com/a.png', 'input[0].content[1].image_url', limits)),
    ).toEqual({
      status: 400,
      kind: 'invalid_request',
      param: 'input[0].content[1].image_url',
      code: 'remote_images_disabled',
    });
    expect(failure(() => imageBlock('data:image/png;base64,AAAA', 'x', limits))).toMatchObject({
      code: 'invalid_image',
    });
    expect(
      failure(() => imageBlock(`data:image/png;base64,${PNG_1PX}`, 'x', { ...limits, maxBytes: 10 })),
    ).toEqual({
      status: 413,
      kind: 'too_large',
      param: 'x',
      code: 'content_too_large',
    });
    expect(
      failure(() => documentBlock('data:application/zip;base64,AAAA', undefined, 'f', limits)),
    ).toMatchObject({
      param: 'f',
      code: 'invalid_file',
    });
  });

  it('keeps a remote image as a URL source for the core to fetch, when allowed', () => {
    expect(imageBlock('https://example.com/a.png', 'p', { ...limits, remoteImages: true })).toEqual({
      type: 'image',
      source: { type: 'url', url: 'https://example.com/a.png' },
    });
  });

  it('turns a text file into a text document with its name as title', () => {
    const data = `data:text/plain;base64,${Buffer.from('hello').toString('base64')}`;
    expect(documentBlock(data, 'a.txt', 'f', limits)).toEqual({
      type: 'document',
      source: { type: 'text', media_type: 'text/plain', data: 'hello' },
      title: 'a.txt',
    });
  });
});

describe('JSON Schema checks', () => {
  it('accepts object schemas with a known $schema and explains the rest', () => {
    expect(
      toolParametersProblem({ $schema: 'http://json-schema.org/draft-07/schema#', type: 'object' }),
    ).toBeUndefined();
    expect(toolParametersProblem({ type: 'array' })).toMatch(/type "object"/);
    expect(toolParametersProblem({ type: 'object', properties: { a: { type: 'nope' } } })).toMatch(
      /parameters/,
    );
    expect(withoutMetaSchema({ $schema: 'urn:mine', type: 'object' })).toEqual({
      problem: expect.stringMatching(/unsupported \$schema/),
    });
  });

  it('refuses structured-output schemas Claude Code could not compile', () => {
    expect(outputSchemaProblem({ type: 'object', properties: { a: { type: 'string' } } })).toBeUndefined();
    expect(outputSchemaProblem({ type: 'string' })).toMatch(/JSON object/);
    expect(outputSchemaProblem({ type: 'object', required: 'a' })).toBeDefined();
  });
});
