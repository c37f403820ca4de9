/**
 * Thinking blocks as `reasoning_content`, reasoning effort as Claude Code's effort, and reasoning
 * tokens in usage, with the real CLI against the mock Messages API.
 */
import { describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/gateway-harness.js';
import type { MockReply } from '../mock-anthropic/server.js';
import { json, postChat, requestAt, streamChat } from './client.js';

const h = useHarness();

const THINKING = 'The user wants a sum. Two plus two is four.';

const thinkingReply: MockReply = {
  kind: 'message',
  blocks: [
    { type: 'thinking', thinking: THINKING },
    { type: 'text', text: 'The answer is 4.' },
  ],
  usage: { output_tokens: 30 },
  thinkingTokens: 12,
};

describe('thinking blocks', () => {
  it('stream as delta.reasoning_content, separate from content, with reasoning tokens in usage', async () => {
    h.mock.enqueue(thinkingReply);
    const answer = await streamChat(h.origin, {
      model: 'sonnet',
      messages: [{ role: 'user', content: 'What is 2 + 2?' }],
      reasoning_effort: 'high',
      stream_options: { include_usage: true },
    });
    expect(answer.errors).toEqual([]);
    expect(answer.reasoning).toBe(THINKING);
    expect(answer.content).toBe('The answer is 4.');
    const reasoningChunks = answer.chunks.filter((chunk) => chunk.choices[0]?.delta?.reasoning_content);
    expect(reasoningChunks.length).toBeGreaterThan(1);
    expect(reasoningChunks.every((chunk) => chunk.choices[0].delta.content === undefined)).toBe(true);
    expect(answer.usage).toMatchObject({
      completion_tokens: 30,
      completion_tokens_details: { reasoning_tokens: 12 },
    });
  });

  it('appear as message.reasoning_content when not streaming', async () => {
    h.mock.enqueue(thinkingReply);
    const response = await postChat(h.origin, {
      model: 'sonnet',
      messages: [{ role: 'user', content: 'What is 2 + 2?' }],
    });
    const body = await json(response);
    expect(body.choices[0].message).toMatchObject({
      role: 'assistant',
      content: 'The answer is 4.',
      reasoning_content: THINKING,
    });
    expect(body.usage.completion_tokens_details.reasoning_tokens).toBe(12);
  });
});

/** Which reasoning fields the chunks with thinking carry, and the text of each. */
function reasoningFieldsOf(chunks: any[]): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const chunk of chunks) {
    const delta = chunk.choices[0]?.delta ?? {};
    for (const field of ['reasoning_content', 'reasoning']) {
      if (typeof delta[field] === 'string') texts[field] = (texts[field] ?? '') + delta[field];
    }
  }
  return texts;
}

describe('the reasoning field', () => {
  it('is both reasoning_content and reasoning by default, streamed and not', async () => {
    h.mock.enqueue(thinkingReply, thinkingReply);
    const streamed = await streamChat(h.origin, {
      model: 'sonnet',
      messages: [{ role: 'user', content: 'Sum?' }],
    });
    expect(reasoningFieldsOf(streamed.chunks)).toEqual({ reasoning_content: THINKING, reasoning: THINKING });
    const body = await json(
      await postChat(h.origin, { model: 'sonnet', messages: [{ role: 'user', content: 'Sum?' }] }),
    );
    expect(body.choices[0].message).toMatchObject({ reasoning_content: THINKING, reasoning: THINKING });
  });

  it('is the one a request names in reasoning_field', async () => {
    h.mock.enqueue(thinkingReply, thinkingReply);
    const streamed = await streamChat(h.origin, {
      model: 'sonnet',
      messages: [{ role: 'user', content: 'Sum?' }],
      reasoning_field: 'reasoning',
    });
    expect(reasoningFieldsOf(streamed.chunks)).toEqual({ reasoning: THINKING });
    const body = await json(
      await postChat(h.origin, {
        model: 'sonnet',
        messages: [{ role: 'user', content: 'Sum?' }],
        reasoning_field: 'reasoning_content',
      }),
    );
    expect(body.choices[0].message.reasoning_content).toBe(THINKING);
    expect(body.choices[0].message).not.toHaveProperty('reasoning');
  });

  it('refuses an unknown reasoning_field with a 400 naming it', async () => {
    const response = await postChat(h.origin, {
      model: 'sonnet',
      messages: [{ role: 'user', content: 'hi' }],
      reasoning_field: 'thoughts',
    });
    expect(response.status).toBe(400);
    expect((await json(response)).error).toMatchObject({ param: 'reasoning_field' });
    expect(h.mock.requests).toHaveLength(0);
  });

  describe('chosen by the key', () => {
    const keyed = useHarness({ config: { GATEWAY_API_KEYS: 'sk-reasoning-owner-0001' } });

    it("is the key's field unless the request names one", async () => {
      const { key } = await keyed.gateway.store.keys.create({
        name: 'vllm-style-client',
        policy: { reasoningField: 'reasoning' },
      });
      const ask = (extra: Record<string, unknown>) =>
        fetch(`${keyed.origin}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify({ model: 'sonnet', messages: [{ role: 'user', content: 'Sum?' }], ...extra }),
        });
      keyed.mock.enqueue(thinkingReply, thinkingReply);
      const byKey = (await json(await ask({}))).choices[0].message;
      expect(byKey.reasoning).toBe(THINKING);
      expect(byKey).not.toHaveProperty('reasoning_content');
      const byRequest = (await json(await ask({ reasoning_field: 'both' }))).choices[0].message;
      expect(byRequest).toMatchObject({ reasoning: THINKING, reasoning_content: THINKING });
    });
  });
});

describe('reasoning effort', () => {
  it.each([
    [{ reasoning_effort: 'high' }, 'high'],
    [{ reasoning_effort: 'minimal' }, 'low'],
    [{ reasoning_effort: 'none' }, 'low'],
    [{ reasoning: { effort: 'xhigh' } }, 'xhigh'],
  ])('%j reaches Claude Code as output_config.effort %s', async (params, effort) => {
    const response = await postChat(h.origin, {
      model: 'sonnet',
      messages: [{ role: 'user', content: 'hi' }],
      ...params,
    });
    expect(response.status).toBe(200);
    expect(requestAt(h.mock.requests, 0).body.output_config).toMatchObject({ effort });
  });

  it('turns thinking off for none on a model that honours it', async () => {
    const response = await postChat(h.origin, {
      model: 'claude-sonnet-4-5',
      messages: [{ role: 'user', content: 'hi' }],
      reasoning_effort: 'none',
    });
    expect(response.status).toBe(200);
    expect(requestAt(h.mock.requests, 0).body.thinking).toEqual({ type: 'disabled' });
  });

  it('rejects an unknown effort with a 400 naming the param', async () => {
    const response = await postChat(h.origin, {
      model: 'sonnet',
      messages: [{ role: 'user', content: 'hi' }],
      reasoning: { effort: 'extreme' },
    });
    expect(response.status).toBe(400);
    expect((await json(response)).error).toMatchObject({ param: 'reasoning.effort' });
    expect(h.mock.requests).toHaveLength(0);
  });
});
