/**
 * Recorded Claude Code runs (src/core/fixtures, scripts/record-*fixtures.ts) through the core's
 * interpreter and this surface's encoder: the Anthropic stream must carry exactly the neutral answer,
 * and its fold must be what the Anthropic SDK accumulates from it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { clientToolNameOf } from '../../contract/client-tools.js';
import type { RunEvent } from '../../contract/run-events.js';
import { foldEvents } from '../../core/fold-events.js';
import { createInterpreter, finishInterpretation, interpretMessage } from '../../core/interpret-sdk.js';
import { createEncoderState, encodeEnd, encodeEvent } from './encode-stream.js';
import { foldStream } from './fold.js';
import type { StreamEvent } from './wire.js';

function fixture(name: string): SDKMessage[] {
  const file = path.join(import.meta.dirname, '..', '..', 'core', 'fixtures', `${name}.jsonl`);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SDKMessage);
}

/** What the run service does with a recorded run: interpret until the answer is complete. */
function runEvents(name: string, options: { structuredOutput?: boolean } = {}): RunEvent[] {
  const state = createInterpreter({
    clientToolName: clientToolNameOf,
    agentActivity: false,
    structuredOutput: options.structuredOutput ?? false,
  });
  const events: RunEvent[] = [];
  for (const message of fixture(name)) {
    events.push(...interpretMessage(state, message));
    if (state.finished) return events;
  }
  return [...events, ...finishInterpretation(state)];
}

function encode(events: RunEvent[]): StreamEvent[] {
  const state = createEncoderState({ id: 'msg_fixture', model: 'sonnet' });
  return [...events.flatMap((event) => encodeEvent(state, event)), ...encodeEnd(state)];
}

async function sdkAccumulation(stream: StreamEvent[]): Promise<Anthropic.Message> {
  const body = stream.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join('');
  const client = new Anthropic({
    apiKey: 'test',
    baseURL: 'http://gateway.invalid',
    maxRetries: 0,
    fetch: async () => new Response(body, { headers: { 'content-type': 'text/event-stream' } }),
  });
  return client.messages
    .stream({ model: 'sonnet', max_tokens: 10, messages: [{ role: 'user', content: 'x' }] })
    .finalMessage();
}

const answered: Array<[string, { structuredOutput?: boolean }]> = [
  ['text-stream', {}],
  ['thinking-then-text', {}],
  ['thinking-tokens', {}],
  ['max-tokens', {}],
  ['mid-stream-retry', {}],
  ['client-tools-parallel', {}],
  ['client-tools-unstreamed', {}],
  ['structured-output', { structuredOutput: true }],
];

describe('recorded runs on the Anthropic wire', () => {
  it.each(answered)(
    '%s: the message carries the neutral answer, as the SDK reads it',
    async (name, options) => {
      const events = runEvents(name, options);
      const neutral = foldEvents(events);
      expect(neutral.finish).toBeDefined();
      const stream = encode(events);
      const message = foldStream(stream);

      const text = message.content.flatMap((block) => (block.type === 'text' ? [block.text] : [])).join('');
      const thinking = message.content
        .flatMap((block) => (block.type === 'thinking' ? [block.thinking] : []))
        .join('');
      const calls = message.content.flatMap((block) => (block.type === 'tool_use' ? [block] : []));
      expect(text).toBe(neutral.text);
      expect(thinking).toBe(neutral.reasoning);
      expect(calls.map(({ id, name, input }) => ({ id, name, input }))).toEqual(
        neutral.toolCalls.map(({ id, name, arguments: args }) => ({
          id,
          name,
          input: JSON.parse(args || '{}'),
        })),
      );
      expect(message.stop_reason).toBe(
        neutral.finish?.reason === 'max_turns' ? 'end_turn' : neutral.finish?.reason,
      );
      expect(message.usage).toEqual({
        input_tokens: neutral.usage.inputTokens,
        output_tokens: neutral.usage.outputTokens,
        cache_creation_input_tokens: neutral.usage.cacheCreationInputTokens,
        cache_read_input_tokens: neutral.usage.cacheReadInputTokens,
      });
      // Block indexes count up from 0 with no gaps, even across Claude Code's several API calls.
      const starts = stream.flatMap((event) => (event.type === 'content_block_start' ? [event.index] : []));
      expect(starts).toEqual(starts.map((_, i) => i));
      expect(await sdkAccumulation(stream)).toMatchObject(message);
    },
  );

  it('carries the thinking block’s signature, which clients must send back', () => {
    const message = foldStream(encode(runEvents('thinking-then-text')));
    const thinking = message.content.find((block) => block.type === 'thinking');
    expect(thinking?.type === 'thinking' && thinking.signature).toMatch(/.+/);
  });

  it('ends a failed run with an error event that names the upstream failure', () => {
    const stream = encode(runEvents('api-error-529'));
    expect(stream.at(-1)).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    expect(stream.some((event) => event.type === 'message_stop')).toBe(false);
  });
});
