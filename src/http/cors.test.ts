import { describe, expect, it } from 'vitest';
import { grantedHeaders } from './cors.js';

describe('grantedHeaders', () => {
  it('grants accepted headers and each x-stainless-* header by name, lower-cased', () => {
    expect(grantedHeaders('Authorization, X-Stainless-OS,x-stainless-retry-count, Anthropic-Version')).toBe(
      'authorization, x-stainless-os, x-stainless-retry-count, anthropic-version',
    );
  });

  it('drops headers the API does not accept', () => {
    expect(grantedHeaders('cookie, x-evil, content-type')).toBe('content-type');
    expect(grantedHeaders('')).toBe('');
  });
});
