/**
 * Mock-side helpers for function-calling tests: what tools the CLI offered the model, replies that
 * call them under the name the model must use (`mcp__client__<name>`), and the tool results the CLI
 * sent back.
 */
import type {
  ContentBlock,
  MockBlock,
  MockHandler,
  MockReply,
  RecordedRequest,
} from '../mock-anthropic/server.js';

export const CLIENT_PREFIX = 'mcp__client__';

export function offeredTools(request: RecordedRequest): string[] {
  return (request.body.tools ?? []).map((tool) => tool.name);
}

/** A tool_use block for the client tool `name`, as the model has to spell it. */
export function clientCall(name: string, input: Record<string, unknown>, id?: string): MockBlock {
  return { type: 'tool_use', name: `${CLIENT_PREFIX}${name}`, input, ...(id ? { id } : {}) };
}

/** One model message: optional text, then the given blocks. */
export function reply(...blocks: MockBlock[]): MockReply {
  return { kind: 'message', blocks };
}

/**
 * Calls the first client tool the CLI offered with `input`; answers in text once the last user turn
 * carries tool results, echoing them, so a two-step loop finishes.
 */
export function callFirstClientToolThenAnswer(input: Record<string, unknown>): MockHandler {
  return (request) => {
    const results = toolResults(request);
    if (results.length > 0) {
      return reply({ type: 'text', text: `Result: ${results.map((r) => r.text).join(' | ')}` });
    }
    const first = offeredTools(request).find((name) => name.startsWith(CLIENT_PREFIX));
    if (!first) return reply({ type: 'text', text: 'no client tool was offered' });
    return reply({ type: 'tool_use', name: first, input });
  };
}

export interface SeenToolResult {
  toolUseId: string;
  text: string;
  isError: boolean;
}

/** The tool_result blocks of the request's last user message. */
export function toolResults(request: RecordedRequest): SeenToolResult[] {
  const last = request.body.messages.findLast((message) => message.role === 'user');
  if (!last || typeof last.content === 'string') return [];
  return last.content.filter((block) => block.type === 'tool_result').map(toSeenResult);
}

function toSeenResult(block: ContentBlock): SeenToolResult {
  const content = block.content;
  const text =
    typeof content === 'string'
      ? content
      : Array.isArray(content)
        ? content.map((part: { text?: unknown }) => (typeof part.text === 'string' ? part.text : '')).join('')
        : '';
  return { toolUseId: String(block.tool_use_id), text, isError: block.is_error === true };
}

/** The tool_use blocks of the request's assistant messages, in order. */
export function toolUsesInHistory(
  request: RecordedRequest,
): Array<{ id: string; name: string; input: unknown }> {
  return request.body.messages
    .filter((message) => message.role === 'assistant' && typeof message.content !== 'string')
    .flatMap((message) => (message.content as ContentBlock[]).filter((block) => block.type === 'tool_use'))
    .map((block) => ({ id: String(block.id), name: String(block.name), input: block.input }));
}
