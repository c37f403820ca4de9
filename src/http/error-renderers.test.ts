import { describe, expect, it } from 'vitest';
import { type ErrorRenderer, GatewayError } from '../contract/gateway-error.js';
import { createErrorRenderers } from './error-renderers.js';

const named =
  (name: string): ErrorRenderer =>
  (error) => ({ status: error.status, body: name, headers: {} });

const error = new GatewayError({ kind: 'not_found', status: 404, message: 'x' });
const bodyFor = (renderers: ReturnType<typeof createErrorRenderers>, path: string) =>
  renderers.rendererFor(path)(error, { requestId: 'r' }).body;

describe('createErrorRenderers', () => {
  it('asks the surface with the longest matching prefix, and the fallback for the rest', () => {
    const renderers = createErrorRenderers(named('openai'));
    renderers.register('/v1/messages', named('anthropic'));
    renderers.register('/api/', named('native'));
    renderers.register('/v1/messages/batches', named('batches'));
    expect(bodyFor(renderers, '/v1/messages')).toBe('anthropic');
    expect(bodyFor(renderers, '/v1/messages/count_tokens')).toBe('anthropic');
    expect(bodyFor(renderers, '/v1/messages/batches/abc')).toBe('batches');
    expect(bodyFor(renderers, '/api/sessions')).toBe('native');
    expect(bodyFor(renderers, '/api')).toBe('native');
    // A prefix matches whole path segments only.
    expect(bodyFor(renderers, '/v1/messagesX')).toBe('openai');
    expect(bodyFor(renderers, '/apiary')).toBe('openai');
    expect(bodyFor(renderers, '/v1/chat/completions')).toBe('openai');
  });
});
