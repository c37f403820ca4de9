import type { AnthropicMessageObject, ResponseBlock, StreamEvent } from './wire.js';

/**
 * The non-streaming reply: the stream's events applied in order, as the Anthropic SDKs accumulate a
 * stream. Error events never reach a fold (the route answers with the error instead).
 */
export function foldStream(events: Iterable<StreamEvent>): AnthropicMessageObject {
  let message: AnthropicMessageObject | undefined;
  const partialJson = new Map<number, string>();
  for (const event of events) {
    switch (event.type) {
      case 'message_start':
        message = { ...event.message, content: [], usage: { ...event.message.usage } };
        break;
      case 'content_block_start':
        if (message) message.content[event.index] = { ...event.content_block } as ResponseBlock;
        break;
      case 'content_block_delta': {
        const block = message?.content[event.index];
        if (!block) break;
        const { delta } = event;
        if (delta.type === 'text_delta' && block.type === 'text') block.text += delta.text;
        else if (delta.type === 'thinking_delta' && block.type === 'thinking')
          block.thinking += delta.thinking;
        else if (delta.type === 'signature_delta' && block.type === 'thinking')
          block.signature = delta.signature;
        else if (delta.type === 'input_json_delta') {
          partialJson.set(event.index, (partialJson.get(event.index) ?? '') + delta.partial_json);
        }
        break;
      }
      case 'content_block_stop': {
        const block = message?.content[event.index];
        const json = partialJson.get(event.index);
        if (block?.type === 'tool_use' && json !== undefined) block.input = parseInput(json);
        break;
      }
      case 'message_delta':
        if (message) {
          message.stop_reason = event.delta.stop_reason;
          message.stop_sequence = event.delta.stop_sequence;
          message.usage = { ...event.usage };
        }
        break;
      case 'message_stop':
      case 'ping':
      case 'error':
        break;
    }
  }
  if (!message) throw new Error('foldStream: the stream had no message_start');
  return message;
}

function parseInput(json: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(json || '{}');
    return value !== null && typeof value === 'object' && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : { value };
  } catch {
    return { arguments: json };
  }
}
