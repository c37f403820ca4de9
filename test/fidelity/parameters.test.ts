/**
 * OpenAI request parameters: honoured (max tokens, stop), rejected by name (n, logprobs), or
 * accepted and ignored (sampling knobs Claude Code does not expose).
 */
import { describe, expect, it } from 'vitest';
import { eventually, useHarness } from '../helpers/gateway-harness.js';
import { text } from '../mock-anthropic/server.js';
import { json, postChat, requestAt, streamChat } from './client.js';

// No pre-started or parked processes: every live Claude Code process belongs to a running request.
const h = useHarness({ config: { WARM_SPARES: '0', HOT_SESSIONS_MAX: '0' } });

const hi = [{ role: 'user', content: 'hi' }];

describe('max_tokens and max_completion_tokens', () => {
  it('reach the Messages API as max_tokens, max_completion_tokens winning', async () => {
    await postChat(h.origin, { model: 'sonnet', messages: hi, max_tokens: 77 });
    await postChat(h.origin, { model: 'sonnet', messages: hi, max_tokens: 77, max_completion_tokens: 55 });
    expect(requestAt(h.mock.requests, 0).body.max_tokens).toBe(77);
    expect(requestAt(h.mock.requests, 1).body.max_tokens).toBe(55);
  });

  it('report finish_reason length when the answer hits the limit, streamed or not', async () => {
    h.mock.enqueue(text('This answer was cut', { stopReason: 'max_tokens' }));
    const body = await json(await postChat(h.origin, { model: 'sonnet', messages: hi, max_tokens: 5 }));
    expect(body.choices[0]).toMatchObject({
      message: { content: 'This answer was cut' },
      finish_reason: 'length',
    });

    h.mock.enqueue(text('This answer was cut', { stopReason: 'max_tokens' }));
    const answer = await streamChat(h.origin, { model: 'sonnet', messages: hi, max_completion_tokens: 5 });
    expect(answer).toMatchObject({ content: 'This answer was cut', finishReason: 'length', done: true });
  });
});

describe('stop', () => {
  it('cuts the answer before the first stop sequence, with finish_reason stop', async () => {
    h.mock.enqueue(text('Q: one A: two Q: three'));
    const response = await postChat(h.origin, {
      model: 'sonnet',
      messages: hi,
      stop: ['Q: t', 'A:'],
    });
    const body = await json(response);
    expect(body.choices[0]).toMatchObject({ message: { content: 'Q: one ' }, finish_reason: 'stop' });
  });

  it('never streams part of a stop sequence that spans deltas, and ends the run there', async () => {
    const tail = Array.from({ length: 60 }, (_, i) => `word${i}`).join(' ');
    // Word-sized deltas: "alpha ", "beta ", "<END> ", ... so the stop sequence spans two of them.
    h.mock.enqueue(text(`alpha beta <END> ${tail}`, { chunkDelayMs: 250 }));
    const answer = await streamChat(h.origin, {
      model: 'sonnet',
      messages: hi,
      stop: 'beta <END>',
      stream_options: { include_usage: true },
    });
    expect(answer.errors).toEqual([]);
    expect(answer.content).toBe('alpha ');
    expect(answer.chunks.some((chunk) => chunk.choices[0]?.delta?.content?.includes('beta'))).toBe(false);
    expect(answer.finishReason).toBe('stop');
    expect(answer.usage).toBeDefined();
    expect(answer.done).toBe(true);
    // The rest of the reply would take another 15 s to stream: the CLI was stopped instead.
    expect(await eventually(() => h.gateway.processes.liveCount === 0)).toBe(true);
  });

  it('keeps text that only looked like the start of a stop sequence', async () => {
    h.mock.enqueue(text('a <END b <END> c'));
    const answer = await streamChat(h.origin, { model: 'sonnet', messages: hi, stop: '<END>' });
    expect(answer).toMatchObject({ content: 'a <END b ', finishReason: 'stop' });
  });

  it('changes nothing when no stop sequence occurs', async () => {
    h.mock.enqueue(text('nothing to cut here'));
    const answer = await streamChat(h.origin, { model: 'sonnet', messages: hi, stop: ['###', ''] });
    expect(answer).toMatchObject({ content: 'nothing to cut here', finishReason: 'stop' });
  });
});

describe('parameters Claude Code cannot honour', () => {
  it.each([
    ['n', { n: 2 }],
    ['logprobs', { logprobs: true }],
    ['top_logprobs', { top_logprobs: 3 }],
  ])('rejects %s with a 400 unsupported_parameter naming it', async (param, extra) => {
    const response = await postChat(h.origin, { model: 'sonnet', messages: hi, ...extra });
    expect(response.status).toBe(400);
    expect((await json(response)).error).toMatchObject({
      type: 'invalid_request_error',
      param,
      code: 'unsupported_parameter',
    });
    expect(h.mock.requests).toHaveLength(0);
  });
});

describe('harmless parameters', () => {
  it('are accepted and the request runs normally', async () => {
    const response = await postChat(h.origin, {
      model: 'sonnet',
      messages: [{ role: 'user', content: 'knobs' }],
      n: 1,
      logprobs: false,
      temperature: 0.1,
      top_p: 0.9,
      seed: 42,
      user: { id: 'open-webui-user' },
      metadata: { trace: 'abc' },
      store: false,
      stream_options: { include_usage: true },
      parallel_tool_calls: true,
      top_k: 40,
      min_p: 0.05,
      presence_penalty: 0.5,
      frequency_penalty: 0.5,
      logit_bias: { '50256': -100 },
      service_tier: 'auto',
      prompt_cache_key: 'k1',
      verbosity: 'low',
      prediction: { type: 'content', content: 'x' },
    });
    expect(response.status).toBe(200);
    expect((await json(response)).choices[0].message.content).toBe('echo: knobs');
    expect(h.mock.requests).toHaveLength(1);
  });
});
