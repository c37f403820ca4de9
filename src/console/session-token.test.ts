import { describe, expect, it } from 'vitest';
import { sameToken, sessionTokens } from './session-token.js';
import { usageCsv } from './usage-csv.js';

describe('console session tokens', () => {
  const tokens = sessionTokens(Buffer.alloc(32, 7), 60_000);
  const principal = { id: 'key_1', name: 'ops' };

  it('verifies its own token until it expires', () => {
    const { token, session } = tokens.issue(principal, 1_000);
    expect(tokens.verify(token, 2_000)).toEqual(session);
    expect(session).toMatchObject({ principalId: 'key_1', principalName: 'ops', exp: 61_000 });
    expect(tokens.verify(token, 61_000)).toBeUndefined();
  });

  it('refuses forged, tampered and foreign tokens', () => {
    const { token } = tokens.issue(principal, 1_000);
    const [payload, signature] = token.split('.');
    const forgedClaims = Buffer.from(
      JSON.stringify({ sid: 'x', principalId: 'admin', principalName: 'a', csrf: 'c', exp: 9e15 }),
    ).toString('base64url');
    expect(tokens.verify(`${forgedClaims}.${signature}`, 2_000)).toBeUndefined();
    expect(tokens.verify(`${payload}.${signature}x`, 2_000)).toBeUndefined();
    expect(tokens.verify(`${payload}`, 2_000)).toBeUndefined();
    expect(sessionTokens(Buffer.alloc(32, 8), 60_000).verify(token, 2_000)).toBeUndefined();
  });

  it('compares CSRF tokens exactly', () => {
    expect(sameToken('abc', 'abc')).toBe(true);
    expect(sameToken('abc', 'abd')).toBe(false);
    expect(sameToken('', 'abc')).toBe(false);
  });
});

describe('usage CSV', () => {
  it('quotes fields, neutralises formulas and rounds costs', () => {
    const csv = usageCsv([
      {
        keyId: 'k1',
        keyName: '=HYPERLINK("x")',
        day: '2026-11-30',
        requests: 2,
        errors: 1,
        promptTokens: 10,
        completionTokens: 5,
        costUsd: 0.000052300000000000004,
      },
      {
        keyId: 'k2',
        keyName: 'plain, name',
        day: '2026-11-30',
        requests: 1,
        errors: 0,
        promptTokens: 1,
        completionTokens: 1,
        costUsd: 1,
      },
    ]);
    expect(csv.split('\r\n')).toEqual([
      'day,key_id,key_name,requests,errors,prompt_tokens,completion_tokens,cost_usd',
      `2026-11-30,k1,"'=HYPERLINK(""x"")",2,1,10,5,0.000052`,
      '2026-11-30,k2,"plain, name",1,0,1,1,1',
      '',
    ]);
  });
});
