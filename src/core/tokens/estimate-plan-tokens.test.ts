import { describe, expect, it } from 'vitest';
import type { RunPlan } from '../../contract/run-plan.js';
import {
  estimatePlanTokens,
  IMAGE_TOKENS,
  PER_MESSAGE_TOKENS,
  PER_REQUEST_TOKENS,
  TEXT_SCALE,
  TOOLS_PREAMBLE_TOKENS,
} from './estimate-plan-tokens.js';

/** One token per word: the arithmetic of the estimate, apart from any tokenizer. */
const words = (text: string) => text.split(/\s+/).filter(Boolean).length;

const plan = (overrides: Partial<RunPlan> = {}): RunPlan => ({
  model: 'sonnet',
  history: [],
  prompt: [{ type: 'text', text: 'one two three four' }],
  thinking: 'disabled',
  clientTools: [],
  ...overrides,
});

describe('estimatePlanTokens', () => {
  it('scales counted text up and adds the framing of each message and of the request', () => {
    expect(estimatePlanTokens(plan(), words)).toBe(
      Math.ceil(4 * TEXT_SCALE) + PER_MESSAGE_TOKENS + PER_REQUEST_TOKENS,
    );
  });

  it('counts the system prompt, the history, images at their upper bound and tools with their preamble', () => {
    const full = plan({
      systemPrompt: { text: 'be brief', placement: 'replace' },
      history: [
        { role: 'user', content: [{ type: 'text', text: 'hello there' }] },
        { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'lookup', input: {} }] },
      ],
      prompt: [
        {
          type: 'tool_result',
          tool_use_id: 't',
          content: [
            { type: 'text', text: 'found it' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: '' } },
          ],
        },
      ],
      clientTools: [{ name: 'lookup', description: 'finds things', inputSchema: { type: 'object' } }],
    });
    // be brief (2) + hello there (2) + lookup {} (2) + found it (2) + lookup finds things {"type":"object"} (4)
    const text = 12;
    expect(estimatePlanTokens(full, words)).toBe(
      Math.ceil(text * TEXT_SCALE) +
        3 * PER_MESSAGE_TOKENS +
        PER_REQUEST_TOKENS +
        IMAGE_TOKENS +
        TOOLS_PREAMBLE_TOKENS,
    );
  });
});
