/**
 * Shared by the encoder's unit tests (encode-stream*.test.ts): recorded fixtures and a driver that
 * feeds SDK messages through the interpreter and the chat encoder the way the run service and the
 * route do. Test-only — production code must not import it.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import type { GatewayError } from '../../../contract/gateway-error.js';
import type { ReasoningField } from '../../../contract/key-policy.js';
import type { RunEvent } from '../../../contract/run-events.js';
import {
  createInterpreter,
  finishInterpretation,
  type InterpreterState,
  interpretMessage,
} from '../../../core/interpret-sdk.js';
import type { ChatCompletionChunk } from './chat-response.js';
import { type ChatEncoder, createChatEncoder } from './encode-stream.js';

/** Real Claude Code output recorded by scripts/record-*fixtures.ts, one SDK message per line. */
export function fixture(name: string): SDKMessage[] {
  const file = path.join(import.meta.dirname, '..', '..', '..', 'core', 'fixtures', `${name}.jsonl`);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SDKMessage);
}

/** Interpreter and encoder options in one bag, as the tests name them. */
export interface TranslatorOptions {
  id: string;
  created: number;
  model: string;
  includeUsage: boolean;
  structuredOutput: boolean;
  clientToolName?: (claudeToolName: string) => string | undefined;
  maxToolCalls?: number;
  stopSequences?: readonly string[];
  reasoningField?: ReasoningField;
  /** Agent activity on (the encoder describes it with describe-activity). */
  describeAgentToolUse?: (name: string, input: unknown) => string;
  describeAgentToolResult?: (output: string, isError: boolean) => string;
}

export type TranslatorOutput =
  | { kind: 'chunk'; chunk: ChatCompletionChunk }
  | { kind: 'error'; error: GatewayError };

export const baseTranslatorOptions: TranslatorOptions = {
  id: 'chatcmpl-test',
  created: 1_700_000_000,
  model: 'sonnet',
  includeUsage: true,
  structuredOutput: false,
};

export interface Translated {
  state: InterpreterState;
  events: RunEvent[];
  outputs: TranslatorOutput[];
  chunks: ChatCompletionChunk[];
  content: string;
  reasoning: string;
  finishReasons: string[];
  /** Messages fed before the interpreter finished the answer (all of them if it never did). */
  read: number;
  /** Messages left unread because the interpreter had finished the answer. */
  unread: number;
}

export function chunksOf(outputs: TranslatorOutput[]): ChatCompletionChunk[] {
  return outputs.flatMap((output) => (output.kind === 'chunk' ? [output.chunk] : []));
}

interface Pipeline {
  state: InterpreterState;
  encoder: ChatEncoder;
}

function pipeline(options: Partial<TranslatorOptions>): Pipeline {
  const all = { ...baseTranslatorOptions, ...options };
  const state = createInterpreter({
    structuredOutput: all.structuredOutput,
    agentActivity: all.describeAgentToolUse !== undefined,
    ...(all.clientToolName ? { clientToolName: all.clientToolName } : {}),
    ...(all.maxToolCalls !== undefined ? { maxToolCalls: all.maxToolCalls } : {}),
    ...(all.stopSequences ? { stopSequences: all.stopSequences } : {}),
  });
  const encoder = createChatEncoder({
    id: all.id,
    created: all.created,
    model: all.model,
    includeUsage: all.includeUsage,
    ...(all.reasoningField ? { reasoningField: all.reasoningField } : {}),
  });
  return { state, encoder };
}

function encodeAll(encoder: ChatEncoder, events: RunEvent[]): TranslatorOutput[] {
  return events.flatMap((event): TranslatorOutput[] =>
    event.type === 'error'
      ? [{ kind: 'error', error: event.error }]
      : encoder.encode(event).map((chunk) => ({ kind: 'chunk', chunk })),
  );
}

/**
 * Feeds messages until the interpreter says the answer is complete, as the run service does,
 * without finishing afterwards (so `state` is what the messages alone left behind).
 */
export function feedUntilFinished(
  messages: SDKMessage[],
  options: Partial<TranslatorOptions> = {},
): Translated {
  const { state, encoder } = pipeline(options);
  const events: RunEvent[] = [];
  let read = 0;
  for (const message of messages) {
    read++;
    events.push(...interpretMessage(state, message));
    if (state.finished) break;
  }
  return summarize(state, events, encodeAll(encoder, events), read, messages.length);
}

/** Like feedUntilFinished, then finishes if the messages ran out first, as a run's end does. */
export function translateAll(messages: SDKMessage[], options: Partial<TranslatorOptions> = {}): Translated {
  const { state, encoder } = pipeline(options);
  const events: RunEvent[] = [];
  let read = 0;
  for (const message of messages) {
    read++;
    events.push(...interpretMessage(state, message));
    if (state.finished) break;
  }
  events.push(...finishInterpretation(state));
  return summarize(state, events, encodeAll(encoder, events), read, messages.length);
}

function summarize(
  state: InterpreterState,
  events: RunEvent[],
  outputs: TranslatorOutput[],
  read: number,
  total: number,
): Translated {
  const chunks = chunksOf(outputs);
  const deltas = chunks.flatMap((chunk) => chunk.choices);
  return {
    state,
    events,
    outputs,
    chunks,
    content: deltas.map((choice) => choice.delta.content ?? '').join(''),
    reasoning: deltas.map((choice) => choice.delta.reasoning_content ?? '').join(''),
    finishReasons: deltas.flatMap((choice) => (choice.finish_reason ? [choice.finish_reason] : [])),
    read,
    unread: total - read,
  };
}
