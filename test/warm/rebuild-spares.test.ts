import { describe, expect, it } from 'vitest';
import { eventually, type Harness, isAlive, useHarness } from '../helpers/gateway-harness.js';
import { type RecordedRequest, text, userTexts } from '../mock-anthropic/server.js';

const config = {
  WARM_SPARES: '1',
  WARM_SPARES_MAX: '1',
  WARM_OPEN_SPARES: 'true',
  WARM_REBUILD_SPARES: 'true',
  MAX_CONCURRENCY: '4',
  AUTH_DISABLED: 'true',
  HOT_SESSIONS_MAX: '0',
};

/** A history the gateway never served: two earlier turns and a new question. */
async function askWithHistory(h: Harness, tag: string): Promise<string | null> {
  const completion = await h.openai.chat.completions.create({
    model: 'sonnet',
    messages: [
      { role: 'user', content: `earlier question ${tag}` },
      { role: 'assistant', content: `earlier answer ${tag}` },
      { role: 'user', content: `new question ${tag}` },
    ],
  });
  return completion.choices[0]?.message.content ?? null;
}

/**
 * The conversation as the API received it: role and text of every user and assistant message,
 * system reminders aside (newer CLIs append the environment as a trailing `system` message).
 */
function turns(request: RecordedRequest | undefined): Array<[string, string]> {
  const messages = (request?.body.messages ?? []).filter((message) => message.role !== ('system' as string));
  return messages.flatMap((message): Array<[string, string]> => {
    const blocks =
      typeof message.content === 'string' ? [{ type: 'text', text: message.content }] : message.content;
    return blocks.flatMap((block) =>
      block.type === 'text' && typeof block.text === 'string' && !block.text.startsWith('<system-reminder>')
        ? [[message.role, block.text]]
        : [],
    );
  });
}

/**
 * The first rebuild starts cold and shows the gateway how rebuilds are launched; a process is then
 * pre-spawned to resume an id reserved for the next one, whose transcript is written under that id
 * when it arrives (Claude Code reads it only after `initialize`).
 */
async function servesARebuildFromAPreSpawnedProcess(h: Harness): Promise<void> {
  const rebuild = h.gateway.warm.rebuild;
  h.mock.enqueue(text('rebuilt cold'));
  expect(await askWithHistory(h, 'one')).toBe('rebuilt cold');
  expect(await eventually(() => rebuild.idleCount === 1, 30_000)).toBe(true);
  const [spare] = rebuild.livePids();
  if (spare === undefined) throw new Error('no rebuild spare');
  const used = rebuild.counters.used;
  h.mock.reset();
  h.mock.enqueue(text('rebuilt warm'));

  expect(await askWithHistory(h, 'two')).toBe('rebuilt warm');

  expect(rebuild.counters.used).toBe(used + 1);
  expect(h.mock.requests).toHaveLength(1);
  // The earlier turns arrive as real turns of the conversation, not pasted into the prompt.
  const received = turns(h.mock.requests[0]);
  expect(received.slice(0, 2)).toEqual([
    ['user', 'earlier question two'],
    ['assistant', 'earlier answer two'],
  ]);
  expect(received.at(-1)).toEqual(['user', 'new question two']);
  expect(userTexts(h.mock.requests[0] as RecordedRequest).join('\n')).not.toContain('one');
  // The pre-spawned process served the run and ended with it.
  expect(await eventually(() => !isAlive(spare), 10_000)).toBe(true);
}

describe('rebuild spares, session tracking on', () => {
  const h = useHarness({ config });

  it('serves a rebuilt history from a process pre-spawned to resume the reserved session id', async () => {
    await servesARebuildFromAPreSpawnedProcess(h);
  });
});

describe('rebuild spares, session tracking off', () => {
  const h = useHarness({ config: { ...config, SESSION_MAX_COUNT: '0' } });

  it('serves a rebuilt history from a process pre-spawned to resume the reserved id', async () => {
    await servesARebuildFromAPreSpawnedProcess(h);
  });

  it('leaves no Claude Code process behind on shutdown', async () => {
    expect(await eventually(() => h.gateway.warm.rebuild.idleCount === 1, 30_000)).toBe(true);
    const pids = h.gateway.processes.livePids();
    expect(pids.length).toBeGreaterThan(0);

    await h.gateway.shutdown();

    expect(pids.filter(isAlive)).toEqual([]);
    expect(h.gateway.processes.livePids()).toEqual([]);
  });
});
