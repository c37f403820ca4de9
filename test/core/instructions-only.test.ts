/**
 * A conversation of instructions only (system or developer messages, no user turn) is answered, as
 * OpenAI answers it: Claude gets the instructions as the system prompt and a neutral user turn.
 */
import { describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/gateway-harness.js';
import { type RecordedRequest, text, userTexts } from '../mock-anthropic/server.js';
import { json, postChat } from './wire.js';

const h = useHarness();

function systemOf(request: RecordedRequest | undefined): string {
  const system = request?.body.system;
  return typeof system === 'string' ? system : (system ?? []).map((block) => block.text).join('\n');
}

/** The text of a Responses object's messages (what the SDKs call `output_text`). */
function outputText(response: { output: Array<{ type: string; content?: Array<{ text?: string }> }> }) {
  return response.output
    .filter((item) => item.type === 'message')
    .flatMap((item) => item.content ?? [])
    .map((part) => part.text ?? '')
    .join('');
}

describe('a conversation of instructions only', () => {
  it('is answered on chat completions: the instructions are the system prompt, the user turn is neutral', async () => {
    h.mock.enqueue(text('Bonjour !'));
    const response = await postChat(h.origin, {
      model: 'sonnet',
      messages: [
        { role: 'system', content: 'Greet the user in French.' },
        { role: 'developer', content: 'One word only.' },
      ],
    });
    expect(response.status).toBe(200);
    expect((await json(response)).choices[0].message.content).toBe('Bonjour !');
    const [request] = h.mock.requests;
    expect(systemOf(request)).toContain('Greet the user in French.\n\nOne word only.');
    expect(request && userTexts(request)).toEqual(['(the conversation starts here)']);
  });

  it('is answered on Responses, with instructions alone or developer items alone', async () => {
    h.mock.enqueue(text('Hello.'), text('Hi.'));
    const headers = { 'content-type': 'application/json', authorization: 'Bearer sk-test' };
    const instructionsOnly = await fetch(`${h.origin}/v1/responses`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ model: 'sonnet', instructions: 'Say hello.', input: [] }),
    });
    expect(instructionsOnly.status).toBe(200);
    expect(outputText(await json(instructionsOnly))).toBe('Hello.');
    const developerOnly = await fetch(`${h.origin}/v1/responses`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        model: 'sonnet',
        input: [{ type: 'message', role: 'developer', content: 'Say hi.' }],
      }),
    });
    expect(developerOnly.status).toBe(200);
    expect(outputText(await json(developerOnly))).toBe('Hi.');
    expect(h.mock.requests.map(systemOf)).toEqual([
      expect.stringContaining('Say hello.'),
      expect.stringContaining('Say hi.'),
    ]);
    expect(h.mock.requests.map((request) => userTexts(request))).toEqual([
      ['(the conversation starts here)'],
      ['(the conversation starts here)'],
    ]);
  });

  it('still refuses a conversation with nothing to answer, and one ending with an assistant turn', async () => {
    const empty = await postChat(h.origin, {
      model: 'sonnet',
      messages: [{ role: 'system', content: '   ' }],
    });
    expect(empty.status).toBe(400);
    const prefill = await postChat(h.origin, {
      model: 'sonnet',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'assistant', content: 'Sure' },
      ],
    });
    expect(prefill.status).toBe(400);
    expect((await json(prefill)).error).toMatchObject({ param: 'messages' });
    expect(h.mock.requests).toHaveLength(0);
  });
});
