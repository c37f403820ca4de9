/**
 * The translator's structured-output, reasoning, stop-sequence and agent-activity paths, over real
 * Claude Code output (recorded by scripts/record-fixtures.ts and scripts/record-fidelity-fixtures.ts).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { describe, expect, it } from 'vitest';
import { describeToolResult, describeToolUse } from '../agent/describe-activity.js';
import type { ChatCompletionChunk } from '../openai/chat-response.js';
import { foldChunks } from './fold-chunks.js';
import {
  createTranslatorState,
  finishTranslation,
  type TranslatorOptions,
  type TranslatorOutput,
  translateMessage,
} from './to-openai.js';

function fixture(name: string): SDKMessage[] {
  const text = readFileSync(path.join(import.meta.dirname, 'fixtures', `${name}.jsonl`), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SDKMessage);
}

const baseOptions: TranslatorOptions = {
  id: 'chatcmpl-test',
  created: 1_700_000_000,
  model: 'sonnet',
  includeUsage: true,
  structuredOutput: false,
};

const agentOptions: Partial<TranslatorOptions> = {
  describeAgentToolUse: describeToolUse,
  describeAgentToolResult: describeToolResult,
};

interface Translated {
  outputs: TranslatorOutput[];
  chunks: ChatCompletionChunk[];
  content: string;
  reasoning: string;
  finishReasons: string[];
  /** Messages left unread because the translator had finished the answer. */
  unread: number;
}

function translateAll(messages: SDKMessage[], options: Partial<TranslatorOptions> = {}): Translated {
  const state = createTranslatorState({ ...baseOptions, ...options });
  const outputs: TranslatorOutput[] = [];
  let read = 0;
  for (const message of messages) {
    read++;
    outputs.push(...translateMessage(state, message));
    if (state.finished) break;
  }
  if (!state.finished) outputs.push(...finishTranslation(state));
  const chunks = outputs.flatMap((output) => (output.kind === 'chunk' ? [output.chunk] : []));
  const deltas = chunks.flatMap((chunk) => chunk.choices);
  return {
    outputs,
    chunks,
    content: deltas.map((choice) => choice.delta.content ?? '').join(''),
    reasoning: deltas.map((choice) => choice.delta.reasoning_content ?? '').join(''),
    finishReasons: deltas.flatMap((choice) => (choice.finish_reason ? [choice.finish_reason] : [])),
    unread: messages.length - read,
  };
}

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
