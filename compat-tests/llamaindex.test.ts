import { OpenAI } from '@llamaindex/openai';
import { describe, expect, it } from 'vitest';
import { useHarness } from '../test/helpers/gateway-harness.js';
import { text, userTexts } from '../test/mock-anthropic/server.js';

/** LlamaIndex's OpenAI LLM pointed at the gateway (it always sends temperature and top_p). */
const h = useHarness();

function llm(): OpenAI {
  return new OpenAI({ model: 'sonnet', apiKey: 'sk-test-client', baseURL: h.baseURL, maxRetries: 0 });
}

describe('LlamaIndex OpenAI LLM against claude-gateway', () => {
  it('chats with a system prompt and history', async () => {
    h.mock.enqueue(text('You told me your name is Ada.'));
    const response = await llm().chat({
      messages: [
        { role: 'system', content: 'Be concise.' },
        { role: 'user', content: 'My name is Ada.' },
        { role: 'assistant', content: 'Hello Ada.' },
        { role: 'user', content: 'What is my name?' },
      ],
    });
    expect(response.message.content).toBe('You told me your name is Ada.');
    const request = h.mock.requests[0];
    if (!request) throw new Error('no request');
    expect(userTexts(request)).toEqual(['My name is Ada.', 'What is my name?']);
    expect(JSON.stringify(request.body.system)).toContain('Be concise.');
  });

  it('streams', async () => {
    h.mock.enqueue(text('a streamed llamaindex answer'));
    const stream = await llm().chat({ messages: [{ role: 'user', content: 'go' }], stream: true });
    let content = '';
    for await (const chunk of stream) content += chunk.delta;
    expect(content).toBe('a streamed llamaindex answer');
  });
});
