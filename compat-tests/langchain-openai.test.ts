import type { AIMessageChunk } from '@langchain/core/messages';
import { ChatOpenAI } from '@langchain/openai';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { useHarness } from '../test/helpers/gateway-harness.js';
import { lastUserText, text, toolUse, userTexts } from '../test/mock-anthropic/server.js';
import { langchainChat } from './clients.js';

/** LangChain's `ChatOpenAI` (invoke, stream, withStructuredOutput) against the gateway over real HTTP. */
const h = useHarness();
let chat: ChatOpenAI;
beforeAll(() => {
  chat = langchainChat(h.baseURL);
});

const Recipe = z.object({
  title: z.string(),
  minutes: z.number().int(),
  steps: z.array(z.string()),
});

function structuredOutputSchema(index = 0): Record<string, unknown> | undefined {
  const tool = h.mock.requests[index]?.body.tools?.find((candidate) => candidate.name === 'StructuredOutput');
  return tool?.input_schema as Record<string, unknown> | undefined;
}

describe('@langchain/openai ChatOpenAI', () => {
  it('invokes with a system and a user message', async () => {
    h.mock.enqueue(text('Toast the bread first.'));
    const reply = await chat.invoke([
      ['system', 'You are a cook.'],
      ['human', 'How do I make a sandwich?'],
    ]);
    expect(reply.content).toBe('Toast the bread first.');
    expect(reply.response_metadata.finish_reason).toBe('stop');
    const request = h.mock.requests[0];
    if (!request) throw new Error('no request');
    expect(lastUserText(request)).toBe('How do I make a sandwich?');
    expect(JSON.stringify(request.body.system)).toContain('You are a cook.');
  });

  it('streams the answer chunk by chunk, with reasoning kept out of the content', async () => {
    h.mock.enqueue({
      kind: 'message',
      blocks: [
        { type: 'thinking', thinking: 'Bread, filling, bread.' },
        { type: 'text', text: 'Put the filling between two slices.' },
      ],
    });
    const pieces: string[] = [];
    let reasoning = '';
    for await (const chunk of await chat.stream('And then?')) {
      pieces.push(String(chunk.content));
      reasoning += String((chunk as AIMessageChunk).additional_kwargs.reasoning_content ?? '');
    }
    expect(pieces.filter(Boolean).length).toBeGreaterThan(1);
    expect(pieces.join('')).toBe('Put the filling between two slices.');
    expect(reasoning).toBe('Bread, filling, bread.');
    const request = h.mock.requests[0];
    if (!request) throw new Error('no request');
    expect(userTexts(request)).toEqual(['And then?']);
  });

  it('withStructuredOutput (json schema, the default for this model) returns the parsed object', async () => {
    h.mock.enqueue(toolUse('StructuredOutput', { title: 'Omelette', minutes: 10, steps: ['beat', 'fry'] }));
    const structured = chat.withStructuredOutput(Recipe, { name: 'recipe' });
    const recipe = await structured.invoke('Give me a quick recipe.');
    expect(recipe).toEqual({ title: 'Omelette', minutes: 10, steps: ['beat', 'fry'] });
    // LangChain declares the 2020-12 meta-schema; the gateway hands Claude Code the schema without it.
    expect(structuredOutputSchema()).toMatchObject({
      type: 'object',
      properties: { title: { type: 'string' }, minutes: { type: 'integer' } },
      required: ['title', 'minutes', 'steps'],
    });
    expect(structuredOutputSchema()).not.toHaveProperty('$schema');
  });

  it('withStructuredOutput in json mode returns the parsed object', async () => {
    h.mock.enqueue(toolUse('StructuredOutput', { title: 'Tea', minutes: 3, steps: ['boil', 'steep'] }));
    const structured = chat.withStructuredOutput(Recipe, { method: 'jsonMode' });
    const recipe = await structured.invoke('A recipe as JSON, please.');
    expect(recipe).toEqual({ title: 'Tea', minutes: 3, steps: ['boil', 'steep'] });
    expect(structuredOutputSchema()).toEqual({ type: 'object', additionalProperties: true });
  });

  it('passes stop and max tokens through bind-time options', async () => {
    h.mock.enqueue(text('first line\nsecond line'));
    const bounded = new ChatOpenAI({
      model: 'sonnet',
      apiKey: 'sk-test-client',
      configuration: { baseURL: h.baseURL },
      maxRetries: 0,
      maxTokens: 40,
      temperature: 0.3,
    });
    const reply = await bounded.invoke('Two lines please', { stop: ['\n'] });
    expect(reply.content).toBe('first line');
    expect(h.mock.requests[0]?.body.max_tokens).toBe(40);
  });
});
