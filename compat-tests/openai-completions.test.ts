import { describe, expect, it } from 'vitest';
import { useHarness } from '../test/helpers/gateway-harness.js';
import { lastUserText, text } from '../test/mock-anthropic/server.js';

/** The openai SDK's legacy `completions` API against the gateway. */
const h = useHarness();

describe('openai SDK completions against /v1/completions', () => {
  it('completes a prompt, with the prompt as the model’s user turn', async () => {
    h.mock.enqueue(text('upon a time there was a gateway.'));
    const completion = await h.openai.completions.create({ model: 'sonnet', prompt: 'Once', max_tokens: 64 });
    expect(completion).toMatchObject({
      object: 'text_completion',
      model: 'sonnet',
      choices: [
        { index: 0, text: 'upon a time there was a gateway.', logprobs: null, finish_reason: 'stop' },
      ],
    });
    expect(completion.id).toMatch(/^cmpl-/);
    expect(completion.usage?.completion_tokens).toBeGreaterThan(0);
    expect(lastUserText(h.mock.requests[0]!)).toBe('Once');
  });

  it('streams, and cuts the answer at a stop sequence', async () => {
    h.mock.enqueue(text('alpha beta STOP gamma'));
    const stream = await h.openai.completions.create({
      model: 'sonnet',
      prompt: ['Letters:'],
      stop: 'STOP',
      stream: true,
      stream_options: { include_usage: true },
    });
    let content = '';
    const finishReasons: string[] = [];
    let usageSeen = false;
    for await (const chunk of stream) {
      content += chunk.choices[0]?.text ?? '';
      if (chunk.choices[0]?.finish_reason) finishReasons.push(chunk.choices[0].finish_reason);
      if (chunk.usage) usageSeen = true;
    }
    expect(content).toBe('alpha beta ');
    expect(finishReasons).toEqual(['stop']);
    expect(usageSeen).toBe(true);
  });

  it('rejects what it cannot do with a 400 naming the parameter', async () => {
    for (const [extra, param] of [
      [{ echo: true }, 'echo'],
      [{ suffix: '}' }, 'suffix'],
      [{ n: 2 }, 'n'],
      [{ logprobs: 2 }, 'logprobs'],
    ] as const) {
      const error = await h.openai.completions
        .create({ model: 'sonnet', prompt: 'x', ...extra })
        .catch((caught: unknown) => caught);
      expect(error).toMatchObject({ status: 400, param });
    }
    expect(h.mock.requests).toHaveLength(0);
  });
});

describe('endpoints Claude Code cannot serve', () => {
  it.each([
    ['/v1/embeddings', 'embeddings'],
    ['/v1/audio/speech', 'audio'],
    ['/v1/images/generations', 'image'],
  ])('%s says so with a 404 OpenAI error', async (route, what) => {
    const response = await fetch(`${h.origin}${route}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test-client' },
      body: JSON.stringify({ model: 'x', input: 'y' }),
    });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-should-retry')).toBe('false');
    const body = (await response.json()) as { error: { message: string; code: string } };
    expect(body.error.code).toBe('unsupported_capability');
    expect(body.error.message).toContain(`Claude Code has no ${what}`);
  });

  it('the openai SDK raises it without retrying', async () => {
    const error = await h.openai.embeddings
      .create({ model: 'text-embedding-3-small', input: 'hello' })
      .catch((caught: unknown) => caught);
    expect(error).toMatchObject({ status: 404, code: 'unsupported_capability' });
  });
});
