/** The legacy Completions wire objects (`text_completion`), as in OpenAI's CreateCompletionResponse. */
import type { OpenAIUsage } from '../openai-usage.js';

export type CompletionFinishReason = 'stop' | 'length' | 'content_filter';

export interface CompletionChoice {
  index: number;
  text: string;
  logprobs: null;
  finish_reason: CompletionFinishReason | null;
}

/** Streamed and non-streamed completions share this shape (unlike chat). */
export interface TextCompletion {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  choices: CompletionChoice[];
  usage?: OpenAIUsage;
}
