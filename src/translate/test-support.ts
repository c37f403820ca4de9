/**
 * Shared by the translator's unit tests (to-openai*.test.ts): recorded fixtures and a driver that
 * feeds SDK messages to the translator the way chat-service does. Test-only — production code must
 * not import it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import type { ChatCompletionChunk } from '../openai/chat-response.js';
import {
  createTranslatorState,
  finishTranslation,
  type TranslatorOptions,
  type TranslatorOutput,
  type TranslatorState,
  translateMessage,
} from './to-openai.js';

/** Real Claude Code output recorded by scripts/record-*fixtures.ts, one SDK message per line. */
export function fixture(name: string): SDKMessage[] {
  const text = readFileSync(path.join(import.meta.dirname, 'fixtures', `${name}.jsonl`), 'utf8');
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SDKMessage);
}

export const baseTranslatorOptions: TranslatorOptions = {
  id: 'chatcmpl-test',
  created: 1_700_000_000,
  model: 'sonnet',
  includeUsage: true,
  structuredOutput: false,
};

export interface Translated {
  state: TranslatorState;
  outputs: TranslatorOutput[];
  chunks: ChatCompletionChunk[];
  content: string;
  reasoning: string;
  finishReasons: string[];
  /** Messages fed to the translator before it finished the answer (all of them if it never did). */
  read: number;
  /** Messages left unread because the translator had finished the answer. */
  unread: number;
}

export function chunksOf(outputs: TranslatorOutput[]): ChatCompletionChunk[] {
  return outputs.flatMap((output) => (output.kind === 'chunk' ? [output.chunk] : []));
}

/**
 * Feeds messages until the translator says the answer is complete, as chat-service does, without
 * finishing the translation afterwards (so `state` is what the messages alone left behind).
 */
export function feedUntilFinished(
  messages: SDKMessage[],
  options: Partial<TranslatorOptions> = {},
): Translated {
  const state = createTranslatorState({ ...baseTranslatorOptions, ...options });
  const outputs: TranslatorOutput[] = [];
  let read = 0;
  for (const message of messages) {
    read++;
    outputs.push(...translateMessage(state, message));
    if (state.finished) break;
  }
  return summarize(state, outputs, read, messages.length);
}

/** Like feedUntilFinished, then finishes the translation if the messages ran out first, as a run's end does. */
export function translateAll(messages: SDKMessage[], options: Partial<TranslatorOptions> = {}): Translated {
  const fed = feedUntilFinished(messages, options);
  if (fed.state.finished) return fed;
  const outputs = [...fed.outputs, ...finishTranslation(fed.state)];
  return summarize(fed.state, outputs, fed.read, messages.length);
}

function summarize(
  state: TranslatorState,
  outputs: TranslatorOutput[],
  read: number,
  total: number,
): Translated {
  const chunks = chunksOf(outputs);
  const deltas = chunks.flatMap((chunk) => chunk.choices);
  return {
    state,
    outputs,
    chunks,
    content: deltas.map((choice) => choice.delta.content ?? '').join(''),
    reasoning: deltas.map((choice) => choice.delta.reasoning_content ?? '').join(''),
    finishReasons: deltas.flatMap((choice) => (choice.finish_reason ? [choice.finish_reason] : [])),
    read,
    unread: total - read,
  };
}
