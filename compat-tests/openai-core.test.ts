import OpenAI from 'openai';
import { beforeEach, describe, expect, it } from 'vitest';
import { eventually, isAlive, useHarness } from '../test/helpers/gateway-harness.js';
import { lastUserText, text } from '../test/mock-anthropic/server.js';

/** The official `openai` client against the running gateway, over real HTTP. */
const h = useHarness({ config: { MAX_CONCURRENCY: '1', MAX_QUEUE: '0' } });
beforeEach(async () => {
  // One slot and no wait queue: let the previous run's clean-up finish before the next request.
  await eventually(() => h.gateway.queue.running === 0 && h.gateway.processes.liveCount === 0, 5_000);
});

describe('openai SDK against claude-gateway', () => {
  it('creates a completion with a system prompt', async () => {
    h.mock.enqueue(text('Bonjour !'));
    const completion = await h.openai.chat.completions.create({
      model: 'sonnet',
      messages: [
        { role: 'system', content: 'Answer in French.' },
        { role: 'user', content: 'Hello' },
      ],
    });
    expect(completion.choices[0]?.message.content).toBe('Bonjour !');
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage?.total_tokens).toBeGreaterThan(0);
    expect(completion._request_id).toBeTruthy();
    expect(JSON.stringify(h.mock.requests[0]?.body.system)).toContain('Answer in French.');
  });

  it('sends array content parts as one user turn', async () => {
    const completion = await h.openai.chat.completions.create({
      model: 'sonnet',
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'first part, ' },
            { type: 'text', text: 'second part' },
          ],
        },
      ],
    });
    expect(completion.choices[0]?.message.content).toBe('echo: second part');
    const request = h.mock.requests[0];
    if (!request) throw new Error('no request');
    const lastUser = request.body.messages.filter((message) => message.role === 'user').at(-1);
    expect(JSON.stringify(lastUser)).toContain('first part, ');
  });

  it('streams with include_usage and the stream helper accepts it', async () => {
    h.mock.enqueue(text('streaming works fine'));
    const stream = await h.openai.chat.completions.create({
      model: 'sonnet',
      stream: true,
      stream_options: { include_usage: true },
      messages: [{ role: 'user', content: 'go' }],
    });
    let content = '';
    let usageChunks = 0;
    for await (const chunk of stream) {
      content += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usageChunks++;
    }
    expect(content).toBe('streaming works fine');
    expect(usageChunks).toBe(1);

    h.mock.enqueue(text('helper ok'));
    const runner = h.openai.chat.completions.stream({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'go' }],
    });
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe('helper ok');
  });

  it('raises BadRequestError for an invalid request and NotFoundError for an unknown model', async () => {
    const bad = h.openai.chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'x' }],
      n: 3,
    });
    await expect(bad).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(bad).rejects.toMatchObject({ status: 400, param: 'n', code: 'unsupported_parameter' });
    const missing = h.openai.chat.completions.create({
      model: 'gpt-4o',
      messages: [{ role: 'user', content: 'x' }],
    });
    await expect(missing).rejects.toBeInstanceOf(OpenAI.NotFoundError);
    await expect(missing).rejects.toMatchObject({ code: 'model_not_found' });
    expect(h.mock.requests).toHaveLength(0);
  });

  it('surfaces an error in the middle of a stream as an APIError', async () => {
    h.mock.enqueue({ kind: 'midStreamFailure', textBefore: 'partial ' }, { kind: 'error', status: 529 });
    const stream = await h.openai.chat.completions.create({
      model: 'sonnet',
      stream: true,
      messages: [{ role: 'user', content: 'go' }],
    });
    const received: string[] = [];
    const consume = async () => {
      for await (const chunk of stream) received.push(chunk.choices[0]?.delta.content ?? '');
    };
    await expect(consume()).rejects.toBeInstanceOf(OpenAI.APIError);
    expect(received.join('')).toContain('partial');
  });

  it('aborting mid-stream ends the Claude Code process within 2 s', async () => {
    h.mock.enqueue(text(Array.from({ length: 200 }, (_, i) => `word${i}`).join(' '), { chunkDelayMs: 50 }));
    const controller = new AbortController();
    const stream = await h.openai.chat.completions.create(
      { model: 'sonnet', stream: true, messages: [{ role: 'user', content: 'long answer' }] },
      { signal: controller.signal },
    );
    const pids = h.gateway.processes.livePids();
    expect(pids).toHaveLength(1);
    let chunks = 0;
    // openai-node ends the iteration (or throws APIUserAbortError) once its signal is aborted.
    await (async () => {
      for await (const _ of stream) {
        if (++chunks === 3) controller.abort();
      }
    })().catch((error: unknown) => expect(error).toBeInstanceOf(OpenAI.APIUserAbortError));
    expect(chunks).toBeGreaterThanOrEqual(3);
    expect(chunks).toBeLessThan(50);
    const [pid] = pids;
    if (pid === undefined) throw new Error('no pid');
    expect(await eventually(() => !isAlive(pid), 2_000)).toBe(true);
    expect(h.gateway.processes.liveCount).toBe(0);
  });

  it('answers 429 with Retry-After when every slot is busy and the wait queue is full', async () => {
    h.mock.enqueue({ kind: 'hang' });
    const controller = new AbortController();
    const first = h.openai.chat.completions
      .create(
        { model: 'sonnet', messages: [{ role: 'user', content: 'slow' }] },
        { signal: controller.signal },
      )
      .catch((error: unknown) => error);
    await h.mock.waitForRequests(1);
    const second = h.openai.chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'x' }],
    });
    await expect(second).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    const error = await second.catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 429, code: 'queue_full' });
    expect((error as InstanceType<typeof OpenAI.APIError>).headers?.get('retry-after')).toBeTruthy();
    controller.abort();
    await first;
    expect(await eventually(() => h.gateway.processes.liveCount === 0, 2_000)).toBe(true);
    h.mock.reset();
    const after = await h.openai.chat.completions.create({
      model: 'sonnet',
      messages: [{ role: 'user', content: 'again' }],
    });
    expect(after.choices[0]?.message.content).toBe('echo: again');
    expect(
      lastUserText(
        h.mock.requests[0] ?? { path: '', headers: {}, body: { model: '', messages: [] }, receivedAt: 0 },
      ),
    ).toBe('again');
  });
});
