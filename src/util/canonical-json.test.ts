import { describe, expect, it } from 'vitest';
import { canonicalJson } from './canonical-json.js';

describe('canonicalJson', () => {
  it('sorts object keys at every depth and skips undefined fields', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { z: true, y: null }], c: 'x' }, u: undefined })).toBe(
      '{"a":{"c":"x","d":[1,{"y":null,"z":true}]},"b":1}',
    );
  });

  it('has no serialisation for what is not plain data', () => {
    expect(canonicalJson({ callback: () => 1 })).toBeUndefined();
    expect(canonicalJson([new AbortController()])).toBeUndefined();
    expect(canonicalJson({ n: Number.NaN })).toBeUndefined();
  });
});
