import { describe, expect, it } from 'vitest';
import type { RunPlan } from '../../contract/run-plan.js';
import { applyEffort, applyOutputLimits, effortOf, servedModel } from './plan-parts.js';

const plan = (): RunPlan => ({ model: 'm', history: [], prompt: [], thinking: 'disabled', clientTools: [] });

describe('the OpenAI family plan parts', () => {
  it("resolves a served model, and answers OpenAI's 404 for any other", () => {
    const resolve = (name: string) => (name === 'sonnet' ? 'claude-sonnet' : undefined);
    expect(servedModel(resolve, 'sonnet')).toBe('claude-sonnet');
    expect(() => servedModel(resolve, 'gpt-4')).toThrow(
      expect.objectContaining({ status: 404, code: 'model_not_found', param: 'model' }),
    );
  });

  it("maps OpenAI's efforts to Claude Code's, naming the field of an unknown one", () => {
    expect(effortOf(undefined, 'x')).toBeUndefined();
    expect(effortOf(null, 'x')).toBeUndefined();
    expect(effortOf('minimal', 'x')).toBe('low');
    expect(effortOf('xhigh', 'x')).toBe('xhigh');
    expect(effortOf('none', 'x')).toBe('none');
    expect(() => effortOf('extreme', 'reasoning.effort')).toThrow(
      expect.objectContaining({ status: 400, param: 'reasoning.effort' }),
    );
  });

  it('turns thinking on at an effort, and asks for the least for none', () => {
    const high = plan();
    applyEffort(high, 'high');
    expect(high).toMatchObject({ thinking: 'default', effort: 'high' });
    const none = plan();
    applyEffort(none, 'none');
    expect(none).toMatchObject({ thinking: 'disabled', effort: 'low' });
  });

  it('sets the token cap and the stop sequences, dropping empty and repeated ones', () => {
    const limited = plan();
    applyOutputLimits(limited, { maxTokens: 64, stop: ['END', '', 'END', 'STOP'] });
    expect(limited).toMatchObject({ maxOutputTokens: 64, stopSequences: ['END', 'STOP'] });
    const open = plan();
    applyOutputLimits(open, { maxTokens: null, stop: '' });
    expect(open.maxOutputTokens).toBeUndefined();
    expect(open.stopSequences).toBeUndefined();
  });
});
