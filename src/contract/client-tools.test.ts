import { describe, expect, it } from 'vitest';
import { continuesToolTurn, transcriptTurnsOf } from '../engine/client-tool-continuation.js';
import { clientToolClaudeName, clientToolNameOf, maxClientToolCalls } from './client-tools.js';
import type { RunPlan } from './run-plan.js';

describe('client tool names', () => {
  it('round-trips through the Claude-side name and rejects everything else', () => {
    expect(clientToolClaudeName('get_weather')).toBe('mcp__client__get_weather');
    expect(clientToolNameOf('mcp__client__get_weather')).toBe('get_weather');
    expect(clientToolNameOf('Bash')).toBeUndefined();
    expect(clientToolNameOf('mcp__other__get_weather')).toBeUndefined();
  });

  it('caps calls for none and for parallel_tool_calls false', () => {
    expect(maxClientToolCalls(undefined)).toBeUndefined();
    expect(maxClientToolCalls({ choice: 'auto', parallel: true })).toBeUndefined();
    expect(maxClientToolCalls({ choice: 'required', parallel: false })).toBe(1);
    expect(maxClientToolCalls({ choice: 'none', parallel: false })).toBe(0);
  });
});

describe('tool results continue the interrupted turn', () => {
  const history: RunPlan['history'] = [
    { role: 'user', content: [{ type: 'text', text: 'weather?' }] },
    {
      role: 'assistant',
      content: [{ type: 'tool_use', id: 'c1', name: 'mcp__client__get_weather', input: {} }],
    },
  ];
  const results: RunPlan['prompt'] = [
    { type: 'tool_result', tool_use_id: 'c1', content: [{ type: 'text', text: 'sunny' }] },
  ];
  const plan = (prompt: RunPlan['prompt'], session?: RunPlan['session']): RunPlan => ({
    model: 'm',
    history,
    prompt,
    thinking: 'disabled',
    clientTools: [],
    ...(session ? { session } : {}),
  });

  it('writes tool results into the transcript instead of sending them as a prompt', () => {
    expect(continuesToolTurn(plan(results))).toBe(true);
    expect(transcriptTurnsOf(plan(results))).toEqual([...history, { role: 'user', content: results }]);
  });

  it('sends a plain prompt as before', () => {
    const text: RunPlan['prompt'] = [{ type: 'text', text: 'hi' }];
    expect(continuesToolTurn(plan(text))).toBe(false);
    expect(transcriptTurnsOf(plan(text))).toEqual(history);
  });
});
