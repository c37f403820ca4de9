import { describe, expect, it } from 'vitest';
import type { ClaudeTurn, RunPlan } from '../contract/run-plan.js';
import { placeSystemPrompt, startWithUserTurn, takePrompt } from './plan-conversation.js';

const text = (value: string) => ({ type: 'text' as const, text: value });
const plan = (withHistory: boolean): RunPlan => ({
  model: 'm',
  history: withHistory
    ? [
        { role: 'user', content: [text('first')] },
        { role: 'assistant', content: [text('answer')] },
      ]
    : [],
  prompt: [text('now')],
  thinking: 'disabled',
  clientTools: [],
});

describe('placeSystemPrompt', () => {
  it('replaces or appends to Claude Code’s system prompt', () => {
    const replaced = plan(false);
    placeSystemPrompt(replaced, 'Be brief.', 'replace');
    expect(replaced.systemPrompt).toEqual({ text: 'Be brief.', placement: 'replace' });
    const none = plan(false);
    placeSystemPrompt(none, undefined, 'append');
    expect(none.systemPrompt).toBeUndefined();
  });

  it('leads the conversation with it under first-user-turn, keeping Claude Code’s own prompt', () => {
    const continued = plan(true);
    placeSystemPrompt(continued, 'Be brief.', 'first-user-turn');
    expect(continued.systemPrompt).toEqual({ text: '', placement: 'append' });
    expect(continued.history[0]?.content[0]).toEqual(text('<instructions>\nBe brief.\n</instructions>'));
    expect(continued.prompt).toEqual([text('now')]);
    const fresh = plan(false);
    placeSystemPrompt(fresh, 'Be brief.', 'first-user-turn');
    expect(fresh.prompt[0]).toEqual(text('<instructions>\nBe brief.\n</instructions>'));
  });
});

describe('startWithUserTurn', () => {
  it('puts a neutral user turn before history that starts with the assistant', () => {
    const history = plan(true).history.slice(1);
    startWithUserTurn(history);
    expect(history.map((turn) => turn.role)).toEqual(['user', 'assistant']);
    const already = plan(true).history;
    startWithUserTurn(already);
    expect(already).toHaveLength(2);
  });
});

describe('takePrompt', () => {
  it('takes the last turn of a conversation', () => {
    const turns: ClaudeTurn[] = [
      { role: 'user', content: [text('first')] },
      { role: 'assistant', content: [text('answer')] },
      { role: 'user', content: [text('now')] },
    ];
    expect(takePrompt(turns, 'Be brief.')).toEqual({ role: 'user', content: [text('now')] });
    expect(turns).toHaveLength(2);
  });

  it('answers instructions alone with a neutral user turn, and nothing at all with nothing', () => {
    expect(takePrompt([], 'Say hello.')).toEqual({
      role: 'user',
      content: [text('(the conversation starts here)')],
    });
    expect(takePrompt([], undefined)).toBeUndefined();
  });
});
