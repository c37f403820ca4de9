import { describe, expect, it } from 'vitest';
import { hostName } from './host-origin-guard.js';

describe('hostName', () => {
  it.each([
    ['localhost:8080', 'localhost'],
    ['127.0.0.1', '127.0.0.1'],
    ['[::1]:8080', '::1'],
    ['[::1]', '::1'],
    ['evil.example:80', 'evil.example'],
    ['::1', '::1'],
  ])('%s is %s', (host, name) => {
    expect(hostName(host)).toBe(name);
  });
});
