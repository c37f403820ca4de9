import { describe, expect, it } from 'vitest';
import { RelayRoutes } from './relay-routes.js';

const direct = (upstream: string) => ({ upstream, proxy: {} });

describe('RelayRoutes', () => {
  it('gives one opaque id per upstream, for good', () => {
    const routes = new RelayRoutes();
    const id = routes.idFor(direct('https://api.anthropic.com'));
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(routes.idFor(direct('https://api.anthropic.com/'))).toBe(id);
    expect(routes.idFor(direct('https://llm.example.com/anthropic'))).not.toBe(id);
    expect(new RelayRoutes().idFor(direct('https://api.anthropic.com'))).not.toBe(id);
  });

  it("resolves a request target to the upstream's URL, its base path and the query kept", () => {
    const routes = new RelayRoutes();
    const anthropic = routes.idFor(direct('https://api.anthropic.com'));
    const prefixed = routes.idFor(direct('http://127.0.0.1:8080/anthropic/'));
    expect(routes.resolve(`/${anthropic}/v1/messages?beta=true`)?.url.href).toBe(
      'https://api.anthropic.com/v1/messages?beta=true',
    );
    expect(routes.resolve(`/${prefixed}/v1/messages/count_tokens`)?.url.href).toBe(
      'http://127.0.0.1:8080/anthropic/v1/messages/count_tokens',
    );
    expect(routes.resolve(`/${anthropic}`)?.url.href).toBe('https://api.anthropic.com/');
  });

  it('gives an upstream reached through a proxy its own id, which resolves to that proxy', () => {
    const routes = new RelayRoutes();
    const proxied = {
      upstream: 'https://api.anthropic.com',
      proxy: { httpsProxy: 'http://proxy:3128', noProxy: '' },
    };
    const id = routes.idFor(proxied);
    expect(id).not.toBe(routes.idFor(direct('https://api.anthropic.com')));
    expect(routes.idFor({ ...proxied, proxy: { httpsProxy: 'http://proxy:3128' } })).toBe(id);
    expect(routes.resolve(`/${id}/v1/messages`)?.proxy).toEqual({ httpsProxy: 'http://proxy:3128' });
  });

  it('knows no other target', () => {
    const routes = new RelayRoutes();
    routes.idFor(direct('https://api.anthropic.com'));
    expect(routes.resolve('/v1/messages')).toBeUndefined();
    expect(routes.resolve(`/${'0'.repeat(32)}/v1/messages`)).toBeUndefined();
    expect(() => routes.idFor(direct('file:///etc/passwd'))).toThrow(/not HTTP/);
  });
});
