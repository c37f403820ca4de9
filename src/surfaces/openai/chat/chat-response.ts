/** The response shapes the gateway writes; kept to what clients actually parse. */
import type { OpenAIUsage } from '../openai-usage.js';

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function: { name?: string; arguments: string };
}

export interface ChunkDelta {
  role?: 'assistant';
  content?: string | null;
  /** Claude's thinking, in the field or fields the request or key chose (reasoning-field.ts). */
  reasoning_content?: string;
  reasoning?: string;
  tool_calls?: ToolCallDelta[];
  refusal?: null;
}

export interface ChunkChoice {
  index: number;
  delta: ChunkDelta;
  logprobs: null;
  finish_reason: FinishReason | null;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  /** Optional string in the spec; the gateway has no backend fingerprint, so it is omitted (never null). */
  system_fingerprint?: string;
  choices: ChunkChoice[];
  usage?: OpenAIUsage | null;
}

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatCompletionMessage {
  role: 'assistant';
  content: string | null;
  refusal: null;
  reasoning_content?: string;
  reasoning?: string;
  tool_calls?: ToolCall[];
  annotations: [];
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  /** Optional string in the spec; the gateway has no backend fingerprint, so it is omitted (never null). */
  system_fingerprint?: string;
  choices: Array<{
    index: number;
    message: ChatCompletionMessage;
    logprobs: null;
    finish_reason: FinishReason;
  }>;
  usage: OpenAIUsage;
}
