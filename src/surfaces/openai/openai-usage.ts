import type { RunUsage } from '../../contract/run-events.js';

/**
 * OpenAI's usage object, as chat and legacy completions send it; the audit log and metrics keep a
 * run's tokens in the same shape.
 */
export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
}

/** OpenAI counts cached prompt tokens inside prompt_tokens; Anthropic reports them separately. */
export function toOpenAIUsage(usage: RunUsage): OpenAIUsage {
  const promptTokens = usage.inputTokens + usage.cacheReadInputTokens + usage.cacheCreationInputTokens;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: promptTokens + usage.outputTokens,
    prompt_tokens_details: { cached_tokens: usage.cacheReadInputTokens },
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}
