import type { FinishReason } from '../openai/chat-response.js';

/** Claude stop reasons as OpenAI finish reasons; unknown reasons read as a normal stop. */
export function mapFinishReason(stopReason: string | null | undefined, hasToolCalls: boolean): FinishReason {
  if (hasToolCalls) return 'tool_calls';
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}
