import { describe, expect, it } from 'vitest';
import { formatDuration, openAIRateLimitHeaders } from './rate-limit-headers.js';

describe('openAIRateLimitHeaders', () => {
  it("writes a key's standing as OpenAI's x-ratelimit-*-requests headers", () => {
    const now = 1_700_000_000_000;
    expect(openAIRateLimitHeaders({ limit: 20, remaining: 7, resetAt: now + 42_000 }, now)).toEqual({
      'x-ratelimit-limit-requests': '20',
      'x-ratelimit-remaining-requests': '7',
      'x-ratelimit-reset-requests': '42s',
    });
    // A window that ended a moment ago resets now, never in negative time.
    expect(
      openAIRateLimitHeaders({ limit: 1, remaining: 0, resetAt: now - 5 }, now)['x-ratelimit-reset-requests'],
    ).toBe('0ms');
  });
});

describe('formatDuration', () => {
  it('writes Go-style durations like OpenAI', () => {
    expect(formatDuration(0.02)).toBe('20ms');
    expect(formatDuration(1.5)).toBe('1.5s');
    expect(formatDuration(42)).toBe('42s');
    expect(formatDuration(360)).toBe('6m0s');
    expect(formatDuration(119.7)).toBe('2m0s');
  });
});
