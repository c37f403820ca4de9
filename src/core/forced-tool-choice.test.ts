import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import { clientToolNameOf } from '../contract/client-tools.js';
import type { RunEvent } from '../contract/run-events.js';
import { forcesToolCall } from './forced-tool-choice.js';
import { createInterpreter, interpretMessage } from './interpret-sdk.js';

/** The stream events of one API message: text, then a tool call when `tool` is given. */
function streamedMessage(id: string, text: string, tool?: string): SDKMessage[] {
  const events: Array<Record<string, unknown>> = [
    { type: 'message_start', message: { id, usage: { input_tokens: 5 } } },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text } },
    { type: 'content_block_stop', index: 0 },
  ];
  if (tool) {
    events.push(
      { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 't1', name: tool } },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{}' } },
      { type: 'content_block_stop', index: 1 },
    );
  }
  events.push(
    {
      type: 'message_delta',
      delta: { stop_reason: tool ? 'tool_use' : 'end_turn' },
      usage: { output_tokens: 3 },
    },
    { type: 'message_stop' },
  );
  return events.map(
    (event) => ({ type: 'stream_event', parent_tool_use_id: null, event }) as unknown as SDKMessage,
  );
}

const success = {
  type: 'result',
  subtype: 'success',
  is_error: false,
  result: 'second',
  stop_reason: 'end_turn',
  usage: { input_tokens: 5, output_tokens: 6 },
} as unknown as SDKMessage;

function run(messages: SDKMessage[], forcedToolCall: boolean): RunEvent[] {
  const state = createInterpreter({
    clientToolName: clientToolNameOf,
    agentActivity: false,
    structuredOutput: false,
    forcedToolCall,
  });
  return messages.flatMap((message) => interpretMessage(state, message));
}

const texts = (events: RunEvent[]) => events.flatMap((e) => (e.type === 'text_delta' ? [e.text] : []));

describe('a forced tool choice', () => {
  it('drops the text of an attempt that was sent back and keeps the text before the call', () => {
    const events = run(
      [
        ...streamedMessage('m1', 'It is sunny.'),
        ...streamedMessage('m2', 'Checking.', 'mcp__client__get_weather'),
      ],
      true,
    );
    expect(texts(events)).toEqual(['Checking.']);
    const start = events.findIndex((e) => e.type === 'tool_call_start');
    expect(events.findIndex((e) => e.type === 'text_delta')).toBeLessThan(start);
    expect(events.at(-1)).toMatchObject({ type: 'finish', reason: 'tool_use' });
  });

  it('fails with tool_choice_not_met, and no text at all, when the second attempt is text too', () => {
    const events = run(
      [...streamedMessage('m1', 'first'), ...streamedMessage('m2', 'second'), success],
      true,
    );
    expect(texts(events)).toEqual([]);
    expect(events.map((e) => e.type)).toEqual(['message_start', 'error']);
    const last = events.at(-1);
    expect(last?.type === 'error' && last.error.code).toBe('tool_choice_not_met');
    expect(last?.type === 'error' && last.error.status).toBe(502);
  });

  it('streams text as it comes when the choice is free', () => {
    const events = run(
      [...streamedMessage('m1', 'first'), ...streamedMessage('m2', 'second'), success],
      false,
    );
    expect(texts(events)).toEqual(['first', 'second']);
    expect(events.at(-1)).toMatchObject({ type: 'finish', reason: 'end_turn' });
  });

  it('is forced by required or a named tool, not by auto, none or structured output', () => {
    const clientTools = [{ name: 'f', description: '', inputSchema: { type: 'object' } }];
    const plan = (choice: 'auto' | 'none' | 'required' | { name: string }) => ({
      clientTools,
      clientToolPolicy: { choice, parallel: true },
    });
    expect(forcesToolCall(plan('required'))).toBe(true);
    expect(forcesToolCall(plan({ name: 'f' }))).toBe(true);
    expect(forcesToolCall(plan('auto'))).toBe(false);
    expect(forcesToolCall(plan('none'))).toBe(false);
    expect(forcesToolCall({ ...plan('required'), outputSchema: { type: 'object' } })).toBe(false);
    expect(forcesToolCall({ ...plan('required'), clientTools: [] })).toBe(false);
  });
});
