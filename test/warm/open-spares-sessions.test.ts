import { describe, expect, it } from 'vitest';
import { eventually, isAlive, useHarness } from '../helpers/gateway-harness.js';
import { lastUserText, type RecordedRequest, toolUse } from '../mock-anthropic/server.js';

// Session tracking on (the default): each new conversation is recorded under its own session id,
// which Claude Code takes at launch, so an open spare lends its id to the conversation it serves.
const h = useHarness({
  config: {
    WARM_SPARES: '1',
    WARM_SPARES_MAX: '1',
    WARM_OPEN_SPARES: 'true',
    MAX_CONCURRENCY: '3',
    AUTH_DISABLED: 'true',
    HOT_SESSIONS_MAX: '0',
  },
});

const open = () => h.gateway.warm.open;

function systemText(request: RecordedRequest | undefined): string {
  const system = request?.body.system;
  if (typeof system === 'string') return system;
  return (system ?? []).map((block) => block.text).join('\n');
}

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

describe('open spares with session tracking', () => {
  it('serves a new tracked conversation with its own system prompt under the spare’s session id', async () => {
    h.mock.enqueue(toolUse('StructuredOutput', { answer: 'cold' }));
    expect(await ask('You are a pirate.', 'first')).toBe('{"answer":"cold"}');
    expect(await eventually(() => open().idleCount === 1, 30_000)).toBe(true);
    const [spare] = open().livePids();
    if (spare === undefined) throw new Error('no open spare');
    const used = open().counters.used;
    h.mock.reset();
    h.mock.enqueue(toolUse('StructuredOutput', { answer: 'from the open spare' }));

    expect(await ask('You are a poet.', 'second')).toBe('{"answer":"from the open spare"}');

    expect(open().counters.used).toBe(used + 1);
    const request = h.mock.requests[0];
    expect(lastUserText(request as never)).toBe('second');
    expect(systemText(request)).toContain('You are a poet.');
    expect(systemText(request)).not.toContain('pirate');
    expect(await eventually(() => !isAlive(spare))).toBe(true);
  });
});
