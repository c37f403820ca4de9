import { describe, expect, it } from 'vitest';
import { resultFailureCause } from './result-failure.js';

describe('resultFailureCause', () => {
  it.each([
    ['API Error: Connection refused — a firewall or proxy may be blocking it (ECONNREFUSED)', 'connection'],
    ["API Error: Can't reach the API server — check your internet or DNS (ENOTFOUND)", 'connection'],
    ['API Error: Connection error.', 'connection'],
    ['Not logged in · Please run /login', 'not_logged_in'],
    ['API Error: something else entirely', 'other'],
  ])('reads %j (no HTTP status) as %s', (detail, cause) => {
    expect(resultFailureCause(detail, null)).toBe(cause);
  });

  it('leaves an answered request (an HTTP status) to the status mapping, whatever its text says', () => {
    expect(resultFailureCause('Failed to authenticate. API Error: 401 not logged in', 401)).toBe('other');
    expect(resultFailureCause('API Error: 502 connection reset by upstream', 502)).toBe('other');
  });
});
