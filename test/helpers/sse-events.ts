// Named-event SSE (the native API; any wire with `event:` lines). test/core/wire.ts reads the OpenAI dialect.
/** Named SSE events with their parsed JSON data, read from a fetch Response as they arrive. */
export interface SseEvent {
  event: string;
  data: unknown;
}

export async function* readSse(response: Response): AsyncGenerator<SseEvent> {
  if (!response.body) throw new Error('the response has no body');
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of response.body) {
    buffer += decoder.decode(chunk as Uint8Array, { stream: true });
    let end = buffer.indexOf('\n\n');
    while (end !== -1) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      end = buffer.indexOf('\n\n');
      const lines = block.split('\n');
      const data = lines.filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trim());
      if (data.length === 0) continue; // a keep-alive comment
      const event =
        lines
          .find((line) => line.startsWith('event:'))
          ?.slice(6)
          .trim() ?? 'message';
      yield { event, data: JSON.parse(data.join('\n')) as unknown };
    }
  }
}

export async function allSse(response: Response): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  for await (const event of readSse(response)) events.push(event);
  return events;
}
