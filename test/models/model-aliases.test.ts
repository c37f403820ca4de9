import { describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/gateway-harness.js';

const h = useHarness({
  config: { MODEL_ALIASES: 'gpt-4o=sonnet,gpt-4o-mini=haiku' },
  resetMockBeforeEach: false,
});

describe('MODEL_ALIASES', () => {
  it('lists the aliases with the served models and answers for them by id', async () => {
    const ids = [];
    for await (const model of h.openai.models.list()) ids.push(model.id);
    expect(ids).toEqual(expect.arrayContaining(['sonnet', 'haiku', 'gpt-4o', 'gpt-4o-mini']));
    expect(ids.slice(-2)).toEqual(['gpt-4o', 'gpt-4o-mini']);
    expect(await h.openai.models.retrieve('gpt-4o')).toMatchObject({ id: 'gpt-4o', object: 'model' });
  });

  it('runs an aliased model as its target and answers under the name the client used', async () => {
    const completion = await h.openai.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(completion.model).toBe('gpt-4o-mini');
    expect(completion.choices[0]?.message.content).toBe('echo: hi');
    // Claude Code resolved the `haiku` alias it was given.
    expect(h.mock.requests.at(-1)?.body.model).toMatch(/haiku/);
  });

  it('still refuses a model that is neither served nor aliased', async () => {
    await expect(
      h.openai.chat.completions.create({ model: 'gpt-4.1', messages: [{ role: 'user', content: 'hi' }] }),
    ).rejects.toMatchObject({ status: 404, code: 'model_not_found', param: 'model' });
  });
});
