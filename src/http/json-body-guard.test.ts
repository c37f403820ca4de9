import { describe, expect, it } from 'vitest';
import { exceedsJsonDepth } from './json-body-guard.js';

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('exceedsJsonDepth', () => {
  it('allows exactly the limit and rejects one more', () => {
    expect(exceedsJsonDepth(nested(64), 64)).toBe(false);
    expect(exceedsJsonDepth(nested(65), 64)).toBe(true);
    expect(exceedsJsonDepth(`{"a":${'{"b":'.repeat(70)}1${'}'.repeat(71)}`, 64)).toBe(true);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    const text = JSON.stringify({ content: `${'['.repeat(500)} "quoted \\" [[[` });
    expect(exceedsJsonDepth(text, 2)).toBe(false);
  });

  it('knows an escaped backslash does not escape the quote after it', () => {
    expect(exceedsJsonDepth(`{"a":"x\\\\","b":${nested(3)}}`, 3)).toBe(true);
    expect(exceedsJsonDepth(`{"a":"x\\\\\\"[[[[","b":1}`, 1)).toBe(false);
  });

  it('counts depth, not the number of brackets', () => {
    expect(exceedsJsonDepth(JSON.stringify(Array.from({ length: 1000 }, () => [[1]])), 3)).toBe(false);
  });
});
