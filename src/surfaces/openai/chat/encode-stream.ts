import type { ReasoningField } from '../../../contract/key-policy.js';
import type { FinishReason as NeutralFinish, RunEvent } from '../../../contract/run-events.js';
import { toOpenAIUsage } from '../openai-usage.js';
import type { ChatCompletionChunk, ChunkDelta, FinishReason } from './chat-response.js';
import { describeToolResult, describeToolUse } from './describe-activity.js';
import { DEFAULT_REASONING_FIELD } from './reasoning-field.js';

/**
 * RunEvents in, `chat.completion.chunk`s out; pure apart from the little state a stream needs
 * (a tool call whose arguments have not started yet). The non-streaming reply is a fold of the same
 * chunks (fold.ts), so the two cannot disagree. `error` events are not encoded here: before the
 * first chunk they are the HTTP error, after it the SSE writer's error frame.
 */
export interface ChatEncoderOptions {
  id: string;
  created: number;
  /** The model name as the client asked for it; echoed back on every chunk. */
  model: string;
  /** Send the final `choices: []` usage chunk (stream_options.include_usage, and always for folding). */
  includeUsage: boolean;
  /** The delta field(s) Claude's thinking and agent activity go in; absent: the default (both). */
  reasoningField?: ReasoningField;
}

export interface ChatEncoder {
  encode(event: RunEvent): ChatCompletionChunk[];
}

const FINISH_REASONS: Record<NeutralFinish, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  max_turns: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

export function createChatEncoder(options: ChatEncoderOptions): ChatEncoder {
  /** A started tool call whose arguments have not arrived: sent together with them when whole. */
  let pendingCall: { index: number; id: string; name: string } | undefined;

  const base = (choices: ChatCompletionChunk['choices']): ChatCompletionChunk => {
    const chunk: ChatCompletionChunk = {
      id: options.id,
      object: 'chat.completion.chunk',
      created: options.created,
      model: options.model,
      choices,
    };
    if (options.includeUsage) chunk.usage = null;
    return chunk;
  };
  const delta = (d: ChunkDelta) => base([{ index: 0, delta: d, logprobs: null, finish_reason: null }]);
  const reasoning = (text: string): ChunkDelta => {
    switch (options.reasoningField ?? DEFAULT_REASONING_FIELD) {
      case 'reasoning_content':
        return { reasoning_content: text };
      case 'reasoning':
        return { reasoning: text };
      case 'both':
        return { reasoning_content: text, reasoning: text };
    }
  };
  const startCall = (args: string) => {
    if (!pendingCall) return [];
    const { index, id, name } = pendingCall;
    pendingCall = undefined;
    return [delta({ tool_calls: [{ index, id, type: 'function', function: { name, arguments: args } }] })];
  };

  function encodeEvent(event: RunEvent): ChatCompletionChunk[] {
    switch (event.type) {
      case 'message_start':
        return [delta({ role: 'assistant', content: '' })];
      case 'text_delta':
        return [delta({ content: event.text })];
      case 'reasoning_delta':
        return [delta(reasoning(event.text))];
      case 'tool_call_start':
        pendingCall = { index: event.index, id: event.id, name: event.name };
        return [];
      case 'tool_call_delta':
        return [
          ...startCall(''),
          delta({ tool_calls: [{ index: event.index, function: { arguments: event.argumentsDelta } }] }),
        ];
      case 'tool_call_end':
        return startCall(event.arguments);
      case 'agent_tool_use':
        return [delta(reasoning(describeToolUse(event.name, event.input)))];
      case 'agent_tool_result':
        return [delta(reasoning(describeToolResult(event.output, event.isError)))];
      case 'finish': {
        const chunks = [
          base([{ index: 0, delta: {}, logprobs: null, finish_reason: FINISH_REASONS[event.reason] }]),
        ];
        if (options.includeUsage) chunks.push({ ...base([]), usage: toOpenAIUsage(event.usage) });
        return chunks;
      }
      default:
        return [];
    }
  }

  return {
    encode(event) {
      // A call with no argument deltas still opens before whatever follows it.
      const open = event.type === 'tool_call_delta' || event.type === 'tool_call_end' ? [] : startCall('');
      return [...open, ...encodeEvent(event)];
    },
  };
}
