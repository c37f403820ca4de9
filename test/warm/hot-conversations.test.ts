import type OpenAI from 'openai';
import { describe, expect, it } from 'vitest';
import { eventually, isAlive, useHarness } from '../helpers/gateway-harness.js';
import { text, userTexts } from '../mock-anthropic/server.js';

type Message = OpenAI.Chat.Completions.ChatCompletionMessageParam;

const h = useHarness({
  config: {
    WARM_SPARES: '1',
    WARM_SPARES_MAX: '1',
    HOT_SESSIONS_MAX: '2',
    MAX_CONCURRENCY: '3',
    AUTH_DISABLED: 'true',
  },
});

const hot = () => h.gateway.warm.hot;
const pool = () => h.gateway.warm.pool;

async function say(messages: Message[]): Promise<string> {
  const completion = await h.openai.chat.completions.create({ model: 'sonnet', messages });
  return completion.choices[0]?.message.content ?? '';
}

function allText(index: number): string[] {
  const request = h.mock.requests[index];
  if (!request) throw new Error(`no request ${index}`);
  return request.body.messages.flatMap((message) =>
    typeof message.content === 'string'
      ? [message.content]
      : message.content.flatMap((block) => (typeof block.text === 'string' ? [block.text] : [])),
  );
}

describe('hot conversations', () => {
  it('answers the next turn on the same live process, which the model sees with the full history', async () => {
    expect(await eventually(() => pool().readyCount === 1, 30_000)).toBe(true);
    const [spare] = pool().livePids();
    h.mock.enqueue(text('Nice to meet you, Ada.'), text('Your name is Ada.'));

    const first: Message[] = [{ role: 'user', content: 'My name is Ada.' }];
    const reply = await say(first);
    expect(reply).toBe('Nice to meet you, Ada.');
    // The spare served the first turn and stays alive for the conversation.
    expect(await eventually(() => hot().idleCount === 1)).toBe(true);
    const [live] = hot().livePids();
    expect(live).toBe(spare);

    const second = await say([
      ...first,
      { role: 'assistant', content: reply },
      { role: 'user', content: 'What is my name?' },
    ]);
    expect(second).toBe('Your name is Ada.');
    expect(hot().livePids()).toEqual([live]);
    expect(h.mock.requests).toHaveLength(2);
    const history = allText(1);
    expect(history).toContain('My name is Ada.');
    expect(history).toContain('Nice to meet you, Ada.');
    expect(userTexts(h.mock.requests[1] as never).at(-1)).toBe('What is my name?');
    // The second turn reported its own cost, not the process's running total.
    expect(h.mock.requests[1]?.body.model).toBe(h.mock.requests[0]?.body.model);
  });

  it('does not reuse the process when the conversation changed its options; it resumes cold', async () => {
    h.mock.enqueue(text('one'), text('two'));
    const first: Message[] = [{ role: 'user', content: 'count with me' }];
    expect(await say(first)).toBe('one');
    expect(await eventually(() => hot().livePids().length > 0)).toBe(true);
    const before = new Set(hot().livePids());

    const completion = await h.openai.chat.completions.create({
      model: 'sonnet',
      max_tokens: 64,
      messages: [...first, { role: 'assistant', content: 'one' }, { role: 'user', content: 'next' }],
    });
    expect(completion.choices[0]?.message.content).toBe('two');
    expect(h.mock.requests[1]?.body.max_tokens).toBe(64);
    expect(allText(1)).toContain('count with me');
    // The process of the first turn was ended, not reused.
    for (const pid of before) if (!hot().livePids().includes(pid)) expect(isAlive(pid)).toBe(false);
  });

  it('an aborted hot turn leaves no process behind', async () => {
    h.mock.enqueue(text('ready'));
    const first: Message[] = [{ role: 'user', content: 'wait for it' }];
    expect(await say(first)).toBe('ready');
    expect(await eventually(() => hot().livePids().length > 0)).toBe(true);
    const parked = hot().livePids();
    h.mock.enqueue({ kind: 'hang' });

    const controller = new AbortController();
    const turn = (async () => {
      const stream = await h.openai.chat.completions.create(
        {
          model: 'sonnet',
          stream: true,
          messages: [
            ...first,
            { role: 'assistant', content: 'ready' },
            { role: 'user', content: 'now hang' },
          ],
        },
        { signal: controller.signal },
      );
      for await (const _chunk of stream) {
        // Nothing arrives: the mock hangs until the abort ends the request.
      }
    })();
    await h.mock.waitForRequests(2);
    controller.abort();
    await expect(turn).rejects.toThrow();

    const served = parked.filter((pid) => !hot().livePids().includes(pid));
    expect(served.length).toBeGreaterThan(0);
    for (const pid of served) expect(await eventually(() => !isAlive(pid))).toBe(true);
  });

  it('shutdown ends spares and hot conversations', async () => {
    h.mock.enqueue(text('kept'));
    expect(await say([{ role: 'user', content: 'keep me hot' }])).toBe('kept');
    expect(await eventually(() => hot().idleCount > 0 && pool().readyCount > 0, 30_000)).toBe(true);
    const pids = h.gateway.processes.livePids();
    expect(pids.length).toBeGreaterThanOrEqual(2);

    await h.gateway.shutdown();

    for (const pid of pids) expect(isAlive(pid)).toBe(false);
    expect(h.gateway.processes.livePids()).toEqual([]);
  });
});
