import { describe, expect, it } from 'vitest';
import { conversationOf, sessionFiles } from '../test/conversation/session-files.js';
import { useHarness } from '../test/helpers/gateway-harness.js';
import { dataUrl, IMAGES } from '../test/images/fixtures.js';
import type { ContentBlock } from '../test/mock-anthropic/server.js';
import { lastUserText, text } from '../test/mock-anthropic/server.js';
import { clientCall, reply, toolResults, toolUsesInHistory } from '../test/tools/tool-replies.js';

/** The official `openai` client's Responses API against the gateway and the real Claude Code CLI. */
const h = useHarness();

const weatherTool = {
  type: 'function' as const,
  name: 'get_weather',
  description: 'Weather for a city',
  strict: true,
  parameters: {
    type: 'object',
    properties: { city: { type: 'string' } },
    required: ['city'],
    additionalProperties: false,
  },
};

describe('openai SDK: responses', () => {
  it('responses.create answers a message with output_text and usage', async () => {
    h.mock.enqueue(text('Hello from Claude.', { usage: { input_tokens: 11, output_tokens: 4 } }));
    const response = await h.openai.responses.create({
      model: 'sonnet',
      instructions: 'Be brief.',
      input: 'Say hello',
    });
    expect(response.status).toBe('completed');
    expect(response.output_text).toBe('Hello from Claude.');
    expect(response.output).toEqual([
      expect.objectContaining({ type: 'message', role: 'assistant', status: 'completed' }),
    ]);
    expect(response.usage).toMatchObject({ output_tokens: 4 });
    expect(response.instructions).toBe('Be brief.');
    expect(lastUserText(h.mock.requests[0]!)).toBe('Say hello');
    const system = JSON.stringify(h.mock.requests[0]!.body.system);
    expect(system).toContain('Be brief.');
  });

  it('responses.stream delivers text deltas and the final response', async () => {
    h.mock.enqueue(text('One two three.'));
    const stream = h.openai.responses.stream({ model: 'sonnet', input: 'Count' });
    const types: string[] = [];
    let deltas = '';
    for await (const event of stream) {
      types.push(event.type);
      if (event.type === 'response.output_text.delta') deltas += event.delta;
    }
    const final = await stream.finalResponse();
    expect(deltas).toBe('One two three.');
    expect(final.output_text).toBe('One two three.');
    expect(types[0]).toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
  });

  it('runs a function-call round trip with previous_response_id', async () => {
    h.mock.enqueue(reply(clientCall('get_weather', { city: 'Paris' })), text('It is sunny in Paris.'));
    const first = await h.openai.responses.create({
      model: 'sonnet',
      input: 'Weather in Paris?',
      tools: [weatherTool],
    });
    const call = first.output.find((item) => item.type === 'function_call');
    if (call?.type !== 'function_call') throw new Error('expected a function call');
    expect(call).toMatchObject({ name: 'get_weather', arguments: '{"city":"Paris"}' });

    const second = await h.openai.responses.create({
      model: 'sonnet',
      previous_response_id: first.id,
      tools: [weatherTool],
      input: [{ type: 'function_call_output', call_id: call.call_id, output: '{"forecast":"sunny"}' }],
    });
    expect(second.output_text).toBe('It is sunny in Paris.');
    expect(toolUsesInHistory(h.mock.requests[1]!)).toEqual([
      { id: call.call_id, name: 'mcp__client__get_weather', input: { city: 'Paris' } },
    ]);
    expect(toolResults(h.mock.requests[1]!)).toEqual([
      { toolUseId: call.call_id, text: '{"forecast":"sunny"}', isError: false },
    ]);
  });

  it('continues a conversation by previous_response_id: real turns, one session never rebuilt', async () => {
    const before = new Set((await sessionFiles(h)).map((file) => file.id));
    h.mock.enqueue(text('Hi Ada.'), text('You are Ada.'));
    const first = await h.openai.responses.create({ model: 'sonnet', input: 'My name is Ada.' });
    const second = await h.openai.responses.create({
      model: 'sonnet',
      previous_response_id: first.id,
      input: 'What is my name?',
    });
    expect(second.output_text).toBe('You are Ada.');
    expect(conversationOf(h.mock.requests[1])).toEqual([
      'user: My name is Ada.',
      'assistant: Hi Ada.',
      'user: What is my name?',
    ]);
    const files = (await sessionFiles(h)).filter((file) => !before.has(file.id));
    expect(files).toHaveLength(1);
    expect(files[0]?.rebuiltEntries).toBe(0);

    // The stored response is there for GET, and gone after DELETE (then a 404 naming the id).
    expect((await h.openai.responses.retrieve(second.id)).output_text).toBe('You are Ada.');
    await h.openai.responses.delete(second.id);
    await expect(
      h.openai.responses.create({ model: 'sonnet', previous_response_id: second.id, input: 'Again?' }),
    ).rejects.toMatchObject({ status: 404, param: 'previous_response_id' });
  });

  it('sends input_image parts to Claude as image blocks', async () => {
    h.mock.enqueue(text('A pixel.'));
    const response = await h.openai.responses.create({
      model: 'sonnet',
      input: [
        {
          role: 'user',
          content: [
            { type: 'input_text', text: 'What is this?' },
            { type: 'input_image', image_url: dataUrl('image/png', IMAGES['image/png']), detail: 'auto' },
          ],
        },
      ],
    });
    expect(response.output_text).toBe('A pixel.');
    const last = h.mock.requests[0]!.body.messages.findLast((message) => message.role === 'user');
    const blocks = typeof last?.content === 'string' ? [] : (last?.content ?? []);
    const images = blocks.filter((block: ContentBlock) => block.type === 'image');
    expect(images).toEqual([
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: IMAGES['image/png'] } },
    ]);
  });
});

describe('openai SDK: stored and background responses, token counts, compaction', () => {
  it('responses.inputItems.list pages through what a response was created from', async () => {
    h.mock.enqueue(text('Noted.'));
    const response = await h.openai.responses.create({
      model: 'sonnet',
      input: [
        { role: 'user', content: 'First.' },
        { role: 'assistant', content: 'Ok.' },
        { role: 'user', content: 'Second.' },
      ],
    });
    const ids: string[] = [];
    for await (const item of h.openai.responses.inputItems.list(response.id, { order: 'asc', limit: 2 })) {
      expect(item.type).toBe('message');
      ids.push(item.id);
    }
    expect(ids).toHaveLength(3);
    const page = await h.openai.responses.inputItems.list(response.id, { limit: 1 });
    expect(page.data[0]).toMatchObject({
      type: 'message',
      role: 'user',
      content: [{ type: 'input_text', text: 'Second.' }],
    });
    expect(page.has_more).toBe(true);
  });

  it('runs a background response: polled with retrieve, resumed with retrieve({stream}), cancelled', async () => {
    h.mock.enqueue(text('Background answer, word by word.', { chunkDelayMs: 50 }));
    const queued = await h.openai.responses.create({ model: 'sonnet', input: 'Work', background: true });
    expect(queued.status).toBe('queued');
    let polled = queued;
    for (let i = 0; i < 300 && ['queued', 'in_progress'].includes(polled.status ?? ''); i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      polled = await h.openai.responses.retrieve(queued.id);
    }
    expect(polled.output_text).toBe('Background answer, word by word.');
    const stream = await h.openai.responses.retrieve(queued.id, { stream: true, starting_after: 1 });
    const types: string[] = [];
    for await (const event of stream) types.push(event.type);
    expect(types[0]).not.toBe('response.created');
    expect(types.at(-1)).toBe('response.completed');
    // Cancelling what already ended answers it as it is.
    expect((await h.openai.responses.cancel(queued.id)).status).toBe('completed');

    h.mock.setHandler(() => ({ kind: 'hang' }));
    const hanging = await h.openai.responses.create({ model: 'sonnet', input: 'Wait', background: true });
    await h.mock.waitForRequests(2, 30_000);
    expect((await h.openai.responses.cancel(hanging.id)).status).toBe('cancelled');
    await expect(h.openai.responses.cancel('resp_never_was')).rejects.toMatchObject({ status: 404 });
  });

  it('responses.inputTokens.count counts without running, and responses.compact makes a compaction item', async () => {
    const counted = await h.openai.responses.inputTokens.count({
      model: 'sonnet',
      input: 'How many tokens is this?',
    });
    expect(counted.object).toBe('response.input_tokens');
    expect(counted.input_tokens).toBeGreaterThan(5);
    expect(h.mock.requests).toHaveLength(0);

    h.mock.enqueue(text('Ada likes Rust.'), text('Rust.'));
    const compacted = await h.openai.responses.compact({
      model: 'sonnet',
      input: [
        { role: 'user', content: 'I am Ada; I like Rust.' },
        { role: 'assistant', content: 'Noted.' },
      ],
    });
    expect(compacted.object).toBe('response.compaction');
    const item = compacted.output.find((entry) => entry.type === 'compaction');
    if (item?.type !== 'compaction') throw new Error('expected a compaction item');
    const next = await h.openai.responses.create({
      model: 'sonnet',
      input: [
        { type: 'compaction', encrypted_content: item.encrypted_content },
        { role: 'user', content: 'Which language?' },
      ],
    });
    expect(next.output_text).toBe('Rust.');
    expect(JSON.stringify(h.mock.requests[1]!.body.messages)).toContain('Ada likes Rust.');
  });
});
