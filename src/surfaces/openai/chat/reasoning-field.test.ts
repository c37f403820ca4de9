import { describe, expect, it } from 'vitest';
import { chooseReasoningField, DEFAULT_REASONING_FIELD } from './reasoning-field.js';

describe('chooseReasoningField', () => {
  it('takes the request’s choice over the key’s, and the key’s over the default', () => {
    expect(chooseReasoningField('reasoning', { reasoningField: 'reasoning_content' })).toBe('reasoning');
    expect(chooseReasoningField(null, { reasoningField: 'reasoning_content' })).toBe('reasoning_content');
    expect(chooseReasoningField(undefined, {})).toBe(DEFAULT_REASONING_FIELD);
    expect(chooseReasoningField(undefined, undefined)).toBe('both');
  });
});
