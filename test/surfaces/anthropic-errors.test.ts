/**
 * Errors raised before any route runs (auth, body limits, unknown paths) still come back in
 * Anthropic's shape on /v1/messages*, through the core's error funnel, and the Anthropic SDK maps
 * them to its own error classes.
 */
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/gateway-harness.js';

const KEY = 'sk-gateway-anthropic-test';
const h = useHarness({ config: { GATEWAY_API_KEYS: KEY, MAX_BODY_BYTES: '4096' } });

const client = (apiKey: string) => new Anthropic({ baseURL: h.origin, apiKey, maxRetries: 0 });
const request = { model: 'sonnet', max_tokens: 10, messages: [{ role: 'user' as const, content: 'hi' }] };

describe('Anthropic error shape before the route', () => {
  it('a wrong x-api-key is an authentication_error the SDK raises as AuthenticationError', async () => {
    const error = await client('sk-wrong')
      .messages.create(request)
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(error).toMatchObject({
      status: 401,
      error: { type: 'error', error: { type: 'authentication_error' } },
    });
    const countError = await client('sk-wrong')
      .messages.countTokens(request)
      .catch((caught: unknown) => caught);
    expect(countError).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(h.mock.requests).toHaveLength(0);
  });

  it('an oversized body is request_too_large', async () => {
    const big = { ...request, messages: [{ role: 'user', content: 'x'.repeat(8192) }] };
    const response = await fetch(`${h.origin}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': KEY },
      body: JSON.stringify(big),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'request_too_large' } });
  });

  it('the chat surface keeps OpenAI error bodies for the same failure', async () => {
    const response = await fetch(`${h.origin}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-wrong' },
      body: JSON.stringify({ model: 'sonnet', messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { type: 'authentication_error' } });
  });

  it('a good key gets through', async () => {
    const counted = await client(KEY).messages.countTokens(request);
    expect(counted.input_tokens).toBeGreaterThan(0);
  });
});
