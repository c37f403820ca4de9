import { describe, expect, it } from 'vitest';
import { eventually, isAlive, useHarness } from '../helpers/gateway-harness.js';
import { lastUserText, type RecordedRequest, toolUse } from '../mock-anthropic/server.js';

const h = useHarness({
  config: {
    WARM_SPARES: '1',
    WARM_SPARES_MAX: '1',
    WARM_OPEN_SPARES: 'true',
    MAX_CONCURRENCY: '3',
    AUTH_DISABLED: 'true',
    SESSION_MAX_COUNT: '0',
    HOT_SESSIONS_MAX: '0',
  },
});

const open = () => h.gateway.warm.open;

/** With JSON mode: another system prompt alone would be served by the warm pool's spare. */
async function ask(system: string, content: string): Promise<string | null> {
  const completion = await h.openai.chat.completions.create({
    model: 'sonnet',
    messages: [
      { role: 'system', content: system },
      { role: 'user', content },
    ],
    response_format: { type: 'json_object' },
  });
  return completion.choices[0]?.message.content ?? null;
}

function systemText(request: RecordedRequest | undefined): string {
  const system = request?.body.system;
  if (typeof system === 'string') return system;
  return (system ?? []).map((block) => block.text).join('\n');
}

describe('open spares', () => {
  it('serves a new conversation with another system prompt, which reaches the API', async () => {
    // The first request in JSON mode misses the warm pool (its spare has no output schema) and
    // starts cold; its launch is what the open spare is spawned with once the run is over.
    h.mock.enqueue(toolUse('StructuredOutput', { answer: 'cold, as a pirate' }));
    expect(await ask('You are a pirate.', 'first')).toBe('{"answer":"cold, as a pirate"}');
    expect(systemText(h.mock.requests[0])).toContain('You are a pirate.');
    expect(await eventually(() => open().idleCount === 1, 30_000)).toBe(true);
    const [spare] = open().livePids();
    if (spare === undefined) throw new Error('no open spare');
    const used = open().counters.used;
    h.mock.reset();
    h.mock.enqueue(toolUse('StructuredOutput', { answer: 'warm, as a poet' }));

    expect(await ask('You are a poet who answers in haiku.', 'second')).toBe('{"answer":"warm, as a poet"}');

    expect(open().counters.used).toBe(used + 1);
    expect(h.mock.requests).toHaveLength(1);
    const request = h.mock.requests[0];
    expect(lastUserText(request as never)).toBe('second');
    // The spare took this run's system prompt at claim time, not the one it was spawned after.
    expect(systemText(request)).toContain('You are a poet who answers in haiku.');
    expect(systemText(request)).not.toContain('pirate');
    // It served the run and ended with it.
    expect(await eventually(() => !isAlive(spare))).toBe(true);
  });

  it('serves a request with an output schema, which reaches the API as its StructuredOutput tool', async () => {
    expect(await eventually(() => open().idleCount === 1, 30_000)).toBe(true);
    const [spare] = open().livePids();
    if (spare === undefined) throw new Error('no open spare');
    const used = open().counters.used;
    const schema = { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] };
    h.mock.enqueue(toolUse('StructuredOutput', { city: 'Paris' }));

    const completion = await h.openai.chat.completions.create({
      model: 'sonnet',
      messages: [
        { role: 'system', content: 'You answer with places.' },
        { role: 'user', content: 'capital of France' },
      ],
      response_format: { type: 'json_schema', json_schema: { name: 'place', schema } },
    });

    expect(JSON.parse(completion.choices[0]?.message.content ?? '')).toEqual({ city: 'Paris' });
    expect(open().counters.used).toBe(used + 1);
    expect(await eventually(() => !isAlive(spare))).toBe(true);
    expect(h.mock.requests).toHaveLength(1);
    const offered = h.mock.requests[0]?.body.tools?.find((tool) => tool.name === 'StructuredOutput');
    expect(offered?.input_schema).toEqual(schema);
    expect(systemText(h.mock.requests[0])).toContain('You answer with places.');
  });

  it('ends its processes on shutdown', async () => {
    h.mock.enqueue(toolUse('StructuredOutput', { n: 1 }), toolUse('StructuredOutput', { n: 2 }));
    await ask('System one.', 'a');
    await ask('System two.', 'b');
    expect(await eventually(() => open().idleCount >= 1, 30_000)).toBe(true);
    const pids = [...h.gateway.warm.pool.livePids(), ...open().livePids()];
    expect(pids.length).toBeGreaterThanOrEqual(2);

    await h.gateway.warm.close();

    expect(pids.filter(isAlive)).toEqual([]);
    // The last run's own process ends in the background after its answer; nothing else is left.
    expect(await eventually(() => h.gateway.processes.livePids().length === 0)).toBe(true);
  });
});
