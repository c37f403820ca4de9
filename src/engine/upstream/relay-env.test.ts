import { describe, expect, it } from 'vitest';
import { DEFAULT_UPSTREAM, throughRelay } from './relay-env.js';

import type { RelayTarget } from './relay-routes.js';

const relay = ({ upstream, proxy }: RelayTarget) =>
  `http://127.0.0.1:9/${encodeURIComponent(upstream)}${proxy.httpsProxy ? `/via/${encodeURIComponent(proxy.httpsProxy)}` : ''}`;
const to = (upstream: string) => relay({ upstream, proxy: {} });

describe('throughRelay', () => {
  it("points Claude Code at the relay's route to Anthropic's API, which it still treats as Anthropic's", () => {
    expect(throughRelay({ ANTHROPIC_API_KEY: 'k' }, relay)).toEqual({
      ANTHROPIC_API_KEY: 'k',
      ANTHROPIC_BASE_URL: to(DEFAULT_UPSTREAM),
      _CLAUDE_CODE_ASSUME_FIRST_PARTY_BASE_URL: '1',
    });
  });

  it('routes to the upstream the environment names, as a third party when it is one', () => {
    const env = throughRelay({ ANTHROPIC_BASE_URL: 'https://llm.example.com/anthropic' }, relay);
    expect(env).toEqual({ ANTHROPIC_BASE_URL: to('https://llm.example.com/anthropic') });
    expect(
      throughRelay(
        { ANTHROPIC_BASE_URL: 'https://api.anthropic.com', _CLAUDE_CODE_ASSUME_FIRST_PARTY_BASE_URL: '0' },
        relay,
      ),
    ).toMatchObject({ _CLAUDE_CODE_ASSUME_FIRST_PARTY_BASE_URL: '0' });
  });

  it.each(['CLAUDE_CODE_USE_BEDROCK', 'CLAUDE_CODE_USE_VERTEX', 'CLAUDE_CODE_USE_FOUNDRY'])(
    'leaves a process of another provider (%s) as it is',
    (name) => {
      const env = { [name]: '1', ANTHROPIC_BASE_URL: 'https://x.example' };
      expect(throughRelay(env, relay)).toEqual(env);
      expect(throughRelay({ [name]: '0' }, relay).ANTHROPIC_BASE_URL).toBe(to(DEFAULT_UPSTREAM));
    },
  );

  it('lets a process with an outbound proxy reach the relay directly', () => {
    expect(
      throughRelay({ HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: 'internal.example' }, relay),
    ).toMatchObject({
      NO_PROXY: 'internal.example,127.0.0.1',
      no_proxy: 'internal.example,127.0.0.1',
    });
    expect(throughRelay({ NO_PROXY: 'internal.example' }, relay).NO_PROXY).toBe('internal.example');
  });
});
