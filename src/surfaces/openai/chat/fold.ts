import type { OpenAIUsage } from '../openai-usage.js';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatCompletionMessage,
  FinishReason,
  ToolCall,
} from './chat-response.js';

const ZERO_USAGE: OpenAIUsage = {
  prompt_tokens: 0,
  completion_tokens: 0,
  total_tokens: 0,
  prompt_tokens_details: { cached_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0 },
};

/** The non-streaming response is the stream folded, so the two cannot disagree. */
export function foldChunks(chunks: readonly ChatCompletionChunk[]): ChatCompletion {
  const first = chunks[0];
  if (!first) throw new Error('foldChunks needs at least one chunk');
  let content = '';
  // Each field as it was streamed: a client asked for one of them or for both.
  let reasoningContent = '';
  let reasoning = '';
  let finishReason: FinishReason = 'stop';
  let usage: OpenAIUsage = ZERO_USAGE;
  const toolCalls: ToolCall[] = [];

  for (const chunk of chunks) {
    if (chunk.usage) usage = chunk.usage;
    for (const choice of chunk.choices) {
      const { delta } = choice;
      if (delta.content) content += delta.content;
      if (delta.reasoning_content) reasoningContent += delta.reasoning_content;
      if (delta.reasoning) reasoning += delta.reasoning;
      for (const call of delta.tool_calls ?? []) {
        const existing = toolCalls[call.index];
        if (existing) {
          existing.function.arguments += call.function.arguments;
        } else {
          toolCalls[call.index] = {
            id: call.id ?? '',
            type: 'function',
            function: { name: call.function.name ?? '', arguments: call.function.arguments },
          };
        }
      }
      if (choice.finish_reason) finishReason = choice.finish_reason;
    }
  }

  const message: ChatCompletionMessage = {
    role: 'assistant',
    content: content === '' && toolCalls.length > 0 ? null : content,
    refusal: null,
    annotations: [],
  };
  if (reasoningContent) message.reasoning_content = reasoningContent;
  if (reasoning) message.reasoning = reasoning;
  if (toolCalls.length > 0) message.tool_calls = toolCalls;

  return {
    id: first.id,
    object: 'chat.completion',
    created: first.created,
    model: first.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
    usage,
  };
}
