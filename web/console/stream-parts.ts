/**
 * Reads a streamed answer of any surface the playground speaks into neutral parts: answer text,
 * reasoning, and tool activity, so the page shows them apart whatever the wire.
 */
export type StreamPart =
  | { kind: 'text'; text: string }
  | { kind: 'reasoning'; text: string }
  | { kind: 'tool'; text: string }
  | { kind: 'error'; text: string };

export type Surface = 'openai-chat' | 'openai-responses' | 'anthropic-messages';

/** Splits SSE text into frames; returns the frames and the unfinished rest. */
export function splitFrames(buffer: string): {
  frames: Array<{ event?: string; data: string }>;
  rest: string;
} {
  const frames: Array<{ event?: string; data: string }> = [];
  const blocks = buffer.replaceAll('\r\n', '\n').split('\n\n');
  const rest = blocks.pop() ?? '';
  for (const block of blocks) {
    let event: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length) frames.push({ ...(event ? { event } : {}), data: data.join('\n') });
  }
  return { frames, rest };
}

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (typeof value === 'object' && value !== null ? (value as Json) : {});
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

export function partsOf(surface: Surface, data: string): StreamPart[] {
  if (data === '[DONE]') return [];
  let payload: Json;
  try {
    payload = obj(JSON.parse(data));
  } catch {
    return [];
  }
  if (payload.error) return [{ kind: 'error', text: str(obj(payload.error).message) || 'error' }];
  switch (surface) {
    case 'openai-chat': {
      const choices = Array.isArray(payload.choices) ? payload.choices : [];
      const delta = obj(obj(choices[0]).delta);
      const out: StreamPart[] = [];
      if (str(delta.reasoning_content)) out.push({ kind: 'reasoning', text: str(delta.reasoning_content) });
      if (str(delta.content)) out.push({ kind: 'text', text: str(delta.content) });
      for (const call of Array.isArray(delta.tool_calls) ? delta.tool_calls : []) {
        const fn = obj(obj(call).function);
        if (str(fn.name)) out.push({ kind: 'tool', text: `\n${str(fn.name)}(` });
        if (str(fn.arguments)) out.push({ kind: 'tool', text: str(fn.arguments) });
      }
      return out;
    }
    case 'openai-responses': {
      const type = str(payload.type);
      if (type === 'response.output_text.delta') return [{ kind: 'text', text: str(payload.delta) }];
      if (type.startsWith('response.reasoning') && type.endsWith('.delta'))
        return [{ kind: 'reasoning', text: str(payload.delta) }];
      if (type === 'response.output_item.added' && obj(payload.item).type === 'function_call')
        return [{ kind: 'tool', text: `\n${str(obj(payload.item).name)}(` }];
      if (type === 'response.function_call_arguments.delta')
        return [{ kind: 'tool', text: str(payload.delta) }];
      if (type === 'response.failed')
        return [{ kind: 'error', text: str(obj(obj(payload.response).error).message) || 'failed' }];
      return [];
    }
    case 'anthropic-messages': {
      const type = str(payload.type);
      if (type === 'content_block_start' && obj(payload.content_block).type === 'tool_use')
        return [{ kind: 'tool', text: `\n${str(obj(payload.content_block).name)}(` }];
      if (type !== 'content_block_delta') return [];
      const delta = obj(payload.delta);
      if (delta.type === 'text_delta') return [{ kind: 'text', text: str(delta.text) }];
      if (delta.type === 'thinking_delta') return [{ kind: 'reasoning', text: str(delta.thinking) }];
      if (delta.type === 'input_json_delta') return [{ kind: 'tool', text: str(delta.partial_json) }];
      return [];
    }
  }
}
