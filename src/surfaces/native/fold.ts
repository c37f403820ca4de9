import type { NativeCompleteData, NativeStreamEvent } from './encode-stream.js';

/**
 * The non-streaming reply is the fold of the stream (so the two cannot drift apart): the `complete`
 * event's data, plus the agent activity that streamed before it. An `error` event is thrown.
 */
export interface NativeReply extends NativeCompleteData {
  toolUses: Array<{ id: string; name: string; input: unknown }>;
}

export async function foldNativeStream(events: AsyncIterable<NativeStreamEvent>): Promise<NativeReply> {
  const toolUses: NativeReply['toolUses'] = [];
  for await (const item of events) {
    if (item.event === 'error') throw item.error;
    if (item.event === 'complete') return { ...item.data, toolUses };
    if (item.data.type === 'tool_use') {
      toolUses.push({ id: item.data.id, name: item.data.name, input: item.data.input });
    }
  }
  throw new Error('the native stream ended without a complete or error event');
}
