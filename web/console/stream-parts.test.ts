import { describe, expect, it } from 'vitest';
import { partsOf, splitFrames } from './stream-parts.js';

describe('playground stream reading', () => {
  it('splits SSE frames and keeps the unfinished rest', () => {
    const { frames, rest } = splitFrames('event: a\ndata: {"x":1}\n\ndata: [DONE]\n\ndata: {"y"');
    expect(frames).toEqual([{ event: 'a', data: '{"x":1}' }, { data: '[DONE]' }]);
    expect(rest).toBe('data: {"y"');
  });

  it('reads text, reasoning and tools from each wire', () => {
    expect(
      partsOf('openai-chat', '{"choices":[{"delta":{"reasoning_content":"hm","content":"Hi"}}]}'),
    ).toEqual([
      { kind: 'reasoning', text: 'hm' },
      { kind: 'text', text: 'Hi' },
    ]);
    expect(partsOf('openai-responses', '{"type":"response.output_text.delta","delta":"Hi"}')).toEqual([
      { kind: 'text', text: 'Hi' },
    ]);
    expect(
      partsOf(
        'anthropic-messages',
        '{"type":"content_block_delta","delta":{"type":"thinking_delta","thinking":"t"}}',
      ),
    ).toEqual([{ kind: 'reasoning', text: 't' }]);
    expect(
      partsOf(
        'anthropic-messages',
        '{"type":"content_block_start","content_block":{"type":"tool_use","name":"Read"}}',
      ),
    ).toEqual([{ kind: 'tool', text: '\nRead(' }]);
    expect(partsOf('openai-chat', '{"error":{"message":"boom"}}')).toEqual([{ kind: 'error', text: 'boom' }]);
    expect(partsOf('openai-chat', '[DONE]')).toEqual([]);
  });
});
