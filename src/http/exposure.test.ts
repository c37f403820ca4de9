import { describe, expect, it } from 'vitest';
import { decideExposure, isLoopbackHost } from './exposure.js';

describe('exposure', () => {
  it('knows loopback addresses', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]', '::ffff:127.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(true);
    }
    for (const host of ['0.0.0.0', '::', '10.0.0.1', '192.168.1.2', 'example.com', '128.0.0.1']) {
      expect(isLoopbackHost(host), host).toBe(false);
    }
  });

  it('refuses a reachable address without keys unless auth is disabled', () => {
    expect(decideExposure('0.0.0.0', false, false)).toBe('refuse');
    expect(decideExposure('0.0.0.0', true, false)).toBe('auth-disabled');
    expect(decideExposure('0.0.0.0', false, true)).toBe('protected');
    expect(decideExposure('127.0.0.1', false, false)).toBe('open-loopback');
  });
});
