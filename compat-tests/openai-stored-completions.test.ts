import { describe, expect, it } from 'vitest';
import { useHarness } from '../test/helpers/gateway-harness.js';
import { text } from '../test/mock-anthropic/server.js';

/** The official `openai` client's stored chat completions (`store: true`) against the gateway. */
const h = useHarness();

describe('openai SDK: stored chat completions', () => {
  it('list, retrieve, update, messages.list and delete what store: true kept', async () => {
    h.mock.enqueue(text('Red.'), text('Green.'));
    const first = await h.openai.chat.completions.create({
      model: 'sonnet',
      store: true,
      metadata: { colour: 'warm' },
      messages: [{ role: 'user', content: 'A warm colour?' }],
    });
    const second = await h.openai.chat.completions.create({
      model: 'sonnet',
      store: true,
      metadata: { colour: 'cool' },
      messages: [
        { role: 'system', content: 'One word.' },
        { role: 'user', content: 'A cool colour?' },
      ],
    });

    const all: string[] = [];
    for await (const completion of h.openai.chat.completions.list({ limit: 1 })) all.push(completion.id);
    expect(all).toEqual([first.id, second.id]);
    const warm = await h.openai.chat.completions.list({ metadata: { colour: 'warm' } });
    expect(warm.data.map((completion) => completion.id)).toEqual([first.id]);
    const newestFirst = await h.openai.chat.completions.list({ order: 'desc', model: 'sonnet' });
    expect(newestFirst.data.map((completion) => completion.id)).toEqual([second.id, first.id]);

    const retrieved = await h.openai.chat.completions.retrieve(second.id);
    expect(retrieved.choices[0]?.message.content).toBe('Green.');
    const updated = await h.openai.chat.completions.update(second.id, { metadata: { colour: 'cold' } });
    // The SDK's type leaves metadata out; the API (and the gateway) send it.
    expect(updated).toMatchObject({ metadata: { colour: 'cold' } });

    const messages = await h.openai.chat.completions.messages.list(second.id);
    expect(messages.data.map((message) => [message.id, message.role, message.content])).toEqual([
      [`${second.id}-0`, 'system', 'One word.'],
      [`${second.id}-1`, 'user', 'A cool colour?'],
    ]);

    expect(await h.openai.chat.completions.delete(first.id)).toEqual({
      object: 'chat.completion.deleted',
      id: first.id,
      deleted: true,
    });
    await expect(h.openai.chat.completions.retrieve(first.id)).rejects.toMatchObject({ status: 404 });
  });
});
