import { describe, expect, it } from 'vitest';
import { eventually, isAlive, useHarness } from '../helpers/gateway-harness.js';
import { lastUserText, type RecordedRequest, text, toolUse } from '../mock-anthropic/server.js';

const h = useHarness({
  config: {
    WARM_SPARES: '1',
    // One spare of one kind: these tests count live processes (open-spares and adaptive-spares test the rest).
    WARM_SPARES_MAX: '1',
    WARM_OPEN_SPARES: 'false',
    MAX_CONCURRENCY: '2',
    AUTH_DISABLED: 'true',
    SESSION_MAX_COUNT: '0',
    HOT_SESSIONS_MAX: '0',
  },
});

const pool = () => h.gateway.warm.pool;

async function readySpare(): Promise<number> {
  // Runs end their process in the background after answering: wait until only the spare is left.
  const ready = () => pool().readyCount === 1 && h.gateway.processes.livePids().length === 1;
  expect(await eventually(ready, 30_000)).toBe(true);
  const [pid, ...others] = h.gateway.processes.livePids();
  expect(others).toEqual([]);
  if (pid === undefined) throw new Error('no spare process');
  return pid;
}

async function ask(
  content: string,
  extra: Record<string, unknown> = {},
  system?: string,
): Promise<string | null> {
  const completion = await h.openai.chat.completions.create({
    model: 'sonnet',
    messages: [
      ...(system === undefined ? [] : [{ role: 'system' as const, content: system }]),
      { role: 'user', content },
    ],
    ...extra,
  });
  return completion.choices[0]?.message.content ?? null;
}

const JSON_MODE = { response_format: { type: 'json_object' } };

/** The system blocks Claude Code sent, without its billing header (it changes per request). */
function systemBlocks(request: RecordedRequest | undefined): unknown[] {
  const system = request?.body.system;
  const blocks = typeof system === 'string' ? [{ type: 'text', text: system }] : (system ?? []);
  return blocks.filter((block) => !block.text.startsWith('x-anthropic-billing-header'));
}

describe('warm spares', () => {
  it('answers a plain request with the pre-started process, then starts a replacement', async () => {
    const spare = await readySpare();
    const used = pool().counters.used;
    h.mock.enqueue(text('from the spare'));

    expect(await ask('hello spare')).toBe('from the spare');

    expect(pool().counters.used).toBe(used + 1);
    expect(h.mock.requests).toHaveLength(1);
    expect(lastUserText(h.mock.requests[0] as never)).toBe('hello spare');
    // The spare served the run and ended with it; a new one takes its place.
    expect(await eventually(() => !isAlive(spare))).toBe(true);
    const replacement = await readySpare();
    expect(replacement).not.toBe(spare);
  });

  it('serves a new conversation with its own system prompt: the spare takes it when claimed', async () => {
    const spare = await readySpare();
    const used = pool().counters.used;
    const system = 'You are a poet who answers in haiku.';
    h.mock.enqueue(text('as a poet'), text('as a poet'));

    // Two at once: one takes the spare, the other starts cold (the pool holds one spare).
    const answers = await Promise.all([ask('hello poet', {}, system), ask('hello poet', {}, system)]);

    expect(answers).toEqual(['as a poet', 'as a poet']);
    expect(pool().counters.used).toBe(used + 1);
    expect(await eventually(() => !isAlive(spare))).toBe(true);
    // One API request each: switching the prompt asked nothing of the API.
    expect(h.mock.requests).toHaveLength(2);
    const [first, second] = h.mock.requests;
    expect(JSON.stringify(systemBlocks(first))).toContain(system);
    // The spare's request is the cold start's: the same system blocks, tools and model.
    expect(systemBlocks(first)).toEqual(systemBlocks(second));
    expect(first?.body.tools).toEqual(second?.body.tools);
    expect(first?.body.model).toBe(second?.body.model);
  });

  it('serves a request with its own max_tokens: the spare takes the limit when claimed', async () => {
    const spare = await readySpare();
    const used = pool().counters.used;
    h.mock.enqueue(text('short'));

    expect(await ask('limited', { max_tokens: 50 })).toBe('short');

    expect(pool().counters.used).toBe(used + 1);
    expect(await eventually(() => !isAlive(spare))).toBe(true);
    expect(h.mock.requests).toHaveLength(1);
    expect(h.mock.requests[0]?.body.max_tokens).toBe(50);
  });

  it('serves a request with its own effort: the spare takes it when claimed, as the API shows', async () => {
    const spare = await readySpare();
    const used = pool().counters.used;
    h.mock.enqueue(text('thought hard'));

    expect(await ask('think hard', { reasoning_effort: 'high' }, 'You are careful.')).toBe('thought hard');

    expect(pool().counters.used).toBe(used + 1);
    expect(await eventually(() => !isAlive(spare))).toBe(true);
    expect(h.mock.requests).toHaveLength(1);
    const body = h.mock.requests[0]?.body as
      | { output_config?: { effort?: string }; thinking?: { type?: string } }
      | undefined;
    expect(body?.output_config?.effort).toBe('high');
    // The spare was started for plain chat, without thinking; a cold start with an effort thinks.
    expect(body?.thinking?.type).toBe('adaptive');
    expect(JSON.stringify(systemBlocks(h.mock.requests[0]))).toContain('You are careful.');
  });

  it('starts cold for a request whose options differ, with the same answer and the spare kept', async () => {
    const spare = await readySpare();
    const { used, missed } = pool().counters;
    h.mock.enqueue(toolUse('StructuredOutput', { answer: 'cold' }));

    // An output schema is fixed when Claude Code starts: the plain-chat spare cannot take one.
    expect(await ask('as json', JSON_MODE)).toBe('{"answer":"cold"}');

    expect(pool().counters).toMatchObject({ used, missed: missed + 1 });
    expect(h.mock.requests[0]?.body.tools?.map((tool) => tool.name)).toContain('StructuredOutput');
    expect(isAlive(spare)).toBe(true);
    // The cold run's process is ended once the answer is out (in the background), the spare stays.
    const onlySpare = () => h.gateway.processes.livePids().join() === String(spare);
    expect(await eventually(onlySpare)).toBe(true);
  });

  it('follows options that keep arriving: the second such miss re-targets the pool', async () => {
    const spare = await readySpare();
    h.mock.enqueue(toolUse('StructuredOutput', { answer: 'cold again' }));
    expect(await ask('as json', JSON_MODE)).toBe('{"answer":"cold again"}');
    // Two misses in a row with the same options: the old spare goes, one for JSON mode starts.
    expect(await eventually(() => !isAlive(spare))).toBe(true);
    const retargeted = await readySpare();
    const used = pool().counters.used;
    h.mock.reset();
    h.mock.enqueue(toolUse('StructuredOutput', { answer: 'warm' }));

    expect(await ask('as json', JSON_MODE)).toBe('{"answer":"warm"}');

    expect(pool().counters.used).toBe(used + 1);
    expect(h.mock.requests[0]?.body.tools?.map((tool) => tool.name)).toContain('StructuredOutput');
    expect(await eventually(() => !isAlive(retargeted))).toBe(true);
  });

  it('does not switch a spare to another model (that costs an extra API call): it starts cold', async () => {
    const spare = await readySpare();
    const used = pool().counters.used;
    h.mock.enqueue(text('haiku here'));
    const completion = await h.openai.chat.completions.create({
      model: 'claude-haiku-4-5',
      max_tokens: 50,
      messages: [{ role: 'user', content: 'which model?' }],
    });
    expect(completion.choices[0]?.message.content).toBe('haiku here');
    expect(pool().counters.used).toBe(used);
    expect(h.mock.requests.map((request) => request.body.model)).toEqual(['claude-haiku-4-5']);
    expect(isAlive(spare)).toBe(true);
  });
});
