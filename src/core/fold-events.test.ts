import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import { clientToolNameOf } from '../contract/client-tools.js';
import { GatewayError } from '../contract/gateway-error.js';
import type { RunEvent } from '../contract/run-events.js';
import { foldEvents } from './fold-events.js';
import { createInterpreter, interpretMessage } from './interpret-sdk.js';

/** A recorded Claude Code run (scripts/record-*fixtures.ts), one SDK message per line. */
function fixture(name: string): SDKMessage[] {
  const file = path.join(import.meta.dirname, 'fixtures', `${name}.jsonl`);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SDKMessage);
}

describe('foldEvents', () => {
  it('folds text, reasoning, streamed and whole tool calls, finish and usage', () => {
    const events: RunEvent[] = [
      { type: 'message_start' },
      { type: 'reasoning_delta', text: 'hm' },
      { type: 'text_delta', text: 'Hel' },
      { type: 'text_delta', text: 'lo' },
      { type: 'tool_call_start', index: 0, id: 'a', name: 'f' },
      { type: 'tool_call_delta', index: 0, argumentsDelta: '{"x":' },
      { type: 'tool_call_delta', index: 0, argumentsDelta: '1}' },
      { type: 'tool_call_end', index: 0, arguments: '{"x":1}' },
      { type: 'tool_call_start', index: 1, id: 'b', name: 'g' },
      { type: 'tool_call_end', index: 1, arguments: '{}' },
      {
        type: 'finish',
        reason: 'tool_use',
        usage: {
          inputTokens: 3,
          outputTokens: 4,
          cacheReadInputTokens: 5,
          cacheCreationInputTokens: 6,
          reasoningTokens: 1,
        },
      },
    ];
    const result = foldEvents(events);
    expect(result).toEqual({
      text: 'Hello',
      reasoning: 'hm',
      toolCalls: [
        { id: 'a', name: 'f', arguments: '{"x":1}' },
        { id: 'b', name: 'g', arguments: '{}' },
      ],
      finish: { reason: 'tool_use' },
      usage: {
        inputTokens: 3,
        outputTokens: 4,
        cacheReadInputTokens: 5,
        cacheCreationInputTokens: 6,
        reasoningTokens: 1,
      },
    });
  });

  it('keeps the error of a failed run and has no finish', () => {
    const error = new GatewayError({ kind: 'upstream', status: 502, message: 'x' });
    const result = foldEvents([
      { type: 'text_delta', text: 'Hi' },
      { type: 'error', error },
    ]);
    expect(result.error).toBe(error);
    expect(result.finish).toBeUndefined();
  });

  it('reports the whole run usage on finish from a recorded stream', () => {
    const state = createInterpreter({
      structuredOutput: false,
      agentActivity: false,
      clientToolName: clientToolNameOf,
    });
    const events = fixture('text-stream').flatMap((message) => interpretMessage(state, message));
    const result = foldEvents(events);
    expect(result.finish?.reason).toBe('end_turn');
    expect(result.text.length).toBeGreaterThan(0);
    expect(result.usage.outputTokens).toBeGreaterThan(0);
  });
});
