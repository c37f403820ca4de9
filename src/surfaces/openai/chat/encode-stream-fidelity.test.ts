/**
 * The translator's structured-output, reasoning, stop-sequence and agent-activity paths, over real
 * Claude Code output (recorded by scripts/record-fixtures.ts and scripts/record-fidelity-fixtures.ts).
 */
import { describe, expect, it } from 'vitest';
import { describeToolResult, describeToolUse } from './describe-activity.js';
import { foldChunks } from './fold.js';
import type { TranslatorOptions } from './test-support.js';
import { fixture, translateAll } from './test-support.js';

const agentOptions: Partial<TranslatorOptions> = {
  describeAgentToolUse: describeToolUse,
  describeAgentToolResult: describeToolResult,
};

describe('structured output', () => {
  it('answers with the StructuredOutput input as JSON content, dropping the text around it', () => {
    const result = translateAll(fixture('structured-output'), { structuredOutput: true, ...agentOptions });
    expect(JSON.parse(result.content)).toEqual({ name: 'Ada', age: 36 });
    expect(result.content).not.toContain('Here it is');
    expect(result.reasoning).toBe('');
    expect(result.finishReasons).toEqual(['stop']);
    expect(result.chunks.some((chunk) => chunk.choices[0]?.delta.tool_calls)).toBe(false);
    expect(foldChunks(result.chunks).choices[0]?.message.content).toBe('{"name":"Ada","age":36}');
  });

  it('fails when Claude never called the tool, instead of passing text off as JSON', () => {
    const result = translateAll(fixture('structured-output-text-only'), { structuredOutput: true });
    expect(result.content).toBe('');
    const last = result.outputs.at(-1);
    expect(last?.kind).toBe('error');
    if (last?.kind === 'error')
      expect(last.error).toMatchObject({ status: 502, code: 'structured_output_failed' });
  });
});

describe('reasoning', () => {
  it('streams thinking as reasoning_content and reports Claude Code thinking tokens', () => {
    const result = translateAll(fixture('thinking-tokens'));
    expect(result.reasoning).toBe('Two plus two is four.');
    expect(result.content).toBe('It is 4.');
    const usage = result.chunks.at(-1)?.usage;
    expect(usage?.completion_tokens_details.reasoning_tokens).toBe(9);
    const message = foldChunks(result.chunks).choices[0]?.message;
    expect(message).toMatchObject({ content: 'It is 4.', reasoning_content: 'Two plus two is four.' });
  });

  it.each([
    ['reasoning_content', ['reasoning_content']],
    ['reasoning', ['reasoning']],
    ['both', ['reasoning_content', 'reasoning']],
  ] as const)('puts thinking in the field(s) chosen (%s), streamed and folded', (reasoningField, fields) => {
    const result = translateAll(fixture('thinking-tokens'), { reasoningField });
    const thinking = result.chunks.filter(
      (chunk) => chunk.choices[0]?.delta.reasoning_content ?? chunk.choices[0]?.delta.reasoning,
    );
    expect(thinking.length).toBeGreaterThan(0);
    for (const chunk of thinking) {
      const delta = chunk.choices[0]?.delta ?? {};
      expect(Object.keys(delta).sort()).toEqual([...fields].sort());
      expect(new Set(fields.map((field) => delta[field])).size).toBe(1);
    }
    const message = foldChunks(result.chunks).choices[0]?.message;
    for (const field of fields) expect(message?.[field]).toBe('Two plus two is four.');
    expect(Object.keys(message ?? {}).filter((key) => key.startsWith('reasoning'))).toEqual(fields);
  });
});

describe('stop sequences', () => {
  it('cut streamed text at the first stop sequence and finish the answer there', () => {
    const result = translateAll(fixture('text-stream'), { stopSequences: [' this is'] });
    expect(result.content).toBe('Hello there,');
    expect(result.finishReasons).toEqual(['stop']);
    expect(result.unread).toBeGreaterThan(0);
    expect(result.chunks.at(-1)?.usage).toBeDefined();
  });

  it('release held text when the answer ends without completing a stop sequence', () => {
    const result = translateAll(fixture('text-stream'), { stopSequences: ['answer.!'] });
    expect(result.content).toBe('Hello there, this is a streamed answer.');
    expect(result.finishReasons).toEqual(['stop']);
  });

  it('apply to a non-streamed retry without repeating what was already sent', () => {
    const result = translateAll(fixture('mid-stream-retry'), { stopSequences: ['the rest'] });
    expect(result.content).toBe('Partial answer and ');
    expect(result.finishReasons).toEqual(['stop']);
  });
});

describe('agent activity', () => {
  it('shows tool calls and their results as reasoning, the final text as content', () => {
    const result = translateAll(fixture('agent-read'), agentOptions);
    expect(result.content).toBe('The code is 1234.');
    expect(result.reasoning).toMatch(/\[tool\] Read \S*notes\.txt/);
    expect(result.reasoning).toContain('[tool result] 1 the launch code is 1234');
    expect(result.chunks.some((chunk) => chunk.choices[0]?.delta.tool_calls)).toBe(false);
    expect(result.finishReasons).toEqual(['stop']);
  });

  it('stays hidden when no description is configured', () => {
    const result = translateAll(fixture('agent-read'));
    expect(result.reasoning).toBe('');
    expect(result.content).toBe('The code is 1234.');
  });

  it('ends with finish_reason length when the agent runs out of turns', () => {
    const result = translateAll(fixture('agent-max-turns'), agentOptions);
    expect(result.outputs.every((output) => output.kind === 'chunk')).toBe(true);
    expect(result.finishReasons).toEqual(['length']);
    expect(result.reasoning).toContain('[tool] Glob *.txt');
  });
});
