import { describe, expect, it } from 'vitest';
import { ZERO_USAGE } from '../../contract/run-events.js';
import { emptyTaskFold, foldTaskEvent, OUTPUT_LIMIT } from './task-progress.js';

describe('foldTaskEvent', () => {
  it('pairs tool results with their calls, timing them, and keeps the text after the last tool as summary', () => {
    const fold = emptyTaskFold();
    expect(foldTaskEvent(fold, { type: 'text_delta', text: 'Let me look.' }, 0)).toEqual([
      { event: 'text_delta', data: { text: 'Let me look.' } },
    ]);
    foldTaskEvent(
      fold,
      { type: 'agent_tool_use', id: 't1', name: 'Read', input: { file_path: '/p/a' } },
      100,
    );
    const [result] = foldTaskEvent(
      fold,
      { type: 'agent_tool_result', id: 't1', name: 'Read', output: 'abc', isError: false },
      350,
    );
    expect(result).toEqual({
      event: 'tool_result',
      data: { id: 't1', tool: 'Read', output: 'abc', isError: false, durationMs: 250 },
    });
    foldTaskEvent(fold, { type: 'text_delta', text: 'It says ' }, 400);
    foldTaskEvent(fold, { type: 'text_delta', text: 'abc.' }, 410);
    expect(foldTaskEvent(fold, { type: 'finish', reason: 'end_turn', usage: ZERO_USAGE }, 420)).toEqual([]);
    expect(fold.summary).toBe('It says abc.');
    expect(fold.toolCalls).toEqual([
      {
        id: 't1',
        tool: 'Read',
        input: { file_path: '/p/a' },
        output: 'abc',
        isError: false,
        durationMs: 250,
      },
    ]);
  });

  it('trims long outputs and marks failed calls', () => {
    const fold = emptyTaskFold();
    foldTaskEvent(fold, { type: 'agent_tool_use', id: 't1', name: 'Bash', input: {} }, 0);
    foldTaskEvent(
      fold,
      {
        type: 'agent_tool_result',
        id: 't1',
        name: 'Bash',
        output: 'x'.repeat(OUTPUT_LIMIT + 10),
        isError: true,
      },
      5,
    );
    const [call] = fold.toolCalls;
    expect(call?.isError).toBe(true);
    expect(call?.output.startsWith('x'.repeat(OUTPUT_LIMIT))).toBe(true);
    expect(call?.output).toContain('[10 more characters]');
  });
});
