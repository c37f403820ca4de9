/** The legacy Completions wire objects (`text_completion`), as in OpenAI's CreateCompletionResponse. */

export type CompletionFinishReason = 'stop' | 'length' | 'content_filter';

export interface CompletionUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
}

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
  usage?: CompletionUsage;
}
