import { describe, expect, it } from 'vitest';
import { RelayRoutes } from './relay-routes.js';

describe('RelayRoutes', () => {
  it('gives one opaque id per upstream, for good', () => {
    const routes = new RelayRoutes();
    const id = routes.idFor('https://api.anthropic.com');
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(routes.idFor('https://api.anthropic.com/')).toBe(id);
    expect(routes.idFor('https://llm.example.com/anthropic')).not.toBe(id);
    expect(new RelayRoutes().idFor('https://api.anthropic.com')).not.toBe(id);
  });

  it("resolves a request target to the upstream's URL, its base path and the query kept", () => {
    const routes = new RelayRoutes();
    const direct = routes.idFor('https://api.anthropic.com');
    const prefixed = routes.idFor('http://127.0.0.1:8080/anthropic/');
    expect(routes.resolve(`/${direct}/v1/messages?beta=true`)?.href).toBe(
      'https://api.anthropic.com/v1/messages?beta=true',
    );
    expect(routes.resolve(`/${prefixed}/v1/messages/count_tokens`)?.href).toBe(
      'http://127.0.0.1:8080/anthropic/v1/messages/count_tokens',
    );
    expect(routes.resolve(`/${direct}`)?.href).toBe('https://api.anthropic.com/');
  });

  it('knows no other target', () => {
    const routes = new RelayRoutes();
    routes.idFor('https://api.anthropic.com');
    expect(routes.resolve('/v1/messages')).toBeUndefined();
    expect(routes.resolve(`/${'0'.repeat(32)}/v1/messages`)).toBeUndefined();
    expect(() => routes.idFor('file:///etc/passwd')).toThrow(/not HTTP/);
  });
});
