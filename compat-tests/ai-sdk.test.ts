import { generateObject, generateText, Output, streamText } from 'ai';
import { beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { useHarness } from '../test/helpers/gateway-harness.js';
import { lastUserText, text, toolUse } from '../test/mock-anthropic/server.js';
import { aiSdkProvider } from './clients.js';

/** The Vercel AI SDK through `@ai-sdk/openai-compatible`, against the gateway over real HTTP. */
const h = useHarness();
let gateway: ReturnType<typeof aiSdkProvider>;
beforeAll(() => {
  // Lets generateObject send response_format json_schema instead of bare json_object.
  gateway = aiSdkProvider(h.baseURL, { supportsStructuredOutputs: true });
});

const City = z.object({ name: z.string(), country: z.string(), population: z.number() });

function structuredOutputSchema(index = 0): Record<string, unknown> | undefined {
  const tool = h.mock.requests[index]?.body.tools?.find((candidate) => candidate.name === 'StructuredOutput');
  return tool?.input_schema as Record<string, unknown> | undefined;
}

describe('Vercel AI SDK (openai-compatible provider)', () => {
  it('generateText returns the text, reasoning and usage', async () => {
    h.mock.enqueue({
      kind: 'message',
      blocks: [
        { type: 'thinking', thinking: 'Capital of France.' },
        { type: 'text', text: 'Paris.' },
      ],
      usage: { input_tokens: 12, output_tokens: 9 },
      thinkingTokens: 4,
    });
    const result = await generateText({
      model: gateway('sonnet'),
      system: 'Be brief.',
      prompt: 'Capital of France?',
      maxRetries: 0,
    });
    expect(result.text).toBe('Paris.');
    expect(result.reasoningText).toBe('Capital of France.');
    expect(result.finishReason).toBe('stop');
    expect(result.usage.outputTokenDetails.reasoningTokens).toBe(4);
    const request = h.mock.requests[0];
    if (!request) throw new Error('no request');
    expect(lastUserText(request)).toBe('Capital of France?');
    expect(JSON.stringify(request.body.system)).toContain('Be brief.');
  });

  it('streamText streams text deltas and finishes with stop', async () => {
    h.mock.enqueue(text('Rome was not built in a day.'));
    const result = streamText({ model: gateway('sonnet'), prompt: 'A proverb?', maxRetries: 0 });
    const deltas: string[] = [];
    for await (const delta of result.textStream) deltas.push(delta);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('Rome was not built in a day.');
    expect(await result.finishReason).toBe('stop');
  });

  it('streamText honours stopSequences and maxOutputTokens', async () => {
    h.mock.enqueue(text('alpha beta END gamma'));
    const result = streamText({
      model: gateway('sonnet'),
      prompt: 'Letters?',
      stopSequences: ['END'],
      maxOutputTokens: 50,
      maxRetries: 0,
    });
    expect(await result.text).toBe('alpha beta ');
    expect(h.mock.requests[0]?.body.max_tokens).toBe(50);
  });

  it('generateObject returns the object validated against the zod schema', async () => {
    h.mock.enqueue(toolUse('StructuredOutput', { name: 'Lyon', country: 'France', population: 522_000 }));
    const result = await generateObject({
      model: gateway('sonnet'),
      schema: City,
      prompt: 'A French city.',
      maxRetries: 0,
    });
    expect(result.object).toEqual({ name: 'Lyon', country: 'France', population: 522_000 });
    expect(result.finishReason).toBe('stop');
    expect(structuredOutputSchema()).toMatchObject({
      type: 'object',
      required: ['name', 'country', 'population'],
    });
  });

  it('generateText with Output.object (the successor of generateObject) parses the answer', async () => {
    h.mock.enqueue(toolUse('StructuredOutput', { name: 'Kyoto', country: 'Japan', population: 1_460_000 }));
    const result = await generateText({
      model: gateway('sonnet'),
      output: Output.object({ schema: City }),
      prompt: 'A Japanese city.',
      maxRetries: 0,
    });
    expect(result.output).toEqual({ name: 'Kyoto', country: 'Japan', population: 1_460_000 });
  });
});
