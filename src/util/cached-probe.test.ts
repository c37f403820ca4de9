import { describe, expect, it } from 'vitest';
import { cachedProbe } from './cached-probe.js';

describe('cachedProbe', () => {
  it('probes again only once the result is ttl old', () => {
    let clock = 0;
    let calls = 0;
    const probe = cachedProbe(
      () => ++calls,
      1_000,
      () => clock,
    );
    expect([probe(), probe()]).toEqual([1, 1]);
    clock = 999;
    expect(probe()).toBe(1);
    clock = 1_000;
    expect(probe()).toBe(2);
  });
});
