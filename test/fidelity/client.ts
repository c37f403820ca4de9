/**
 * What a raw HTTP client sees of one chat completion, streamed or not, read strictly enough that a
 * malformed stream fails the test.
 */
import { readSse } from '../helpers/sse-events.js';
import type { RecordedRequest } from '../mock-anthropic/server.js';

export interface StreamedAnswer {
  status: number;
  chunks: any[];
  content: string;
  reasoning: string;
  finishReason: string | null;
  usage: any;
  /** `data: {"error": ...}` frames. */
  errors: any[];
  done: boolean;
}

export function postChat(origin: string, body: unknown): Promise<Response> {
  return fetch(`${origin}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test' },
    body: JSON.stringify(body),
  });
}

/** POSTs with `stream: true` and reads every SSE frame as JSON (or [DONE]). */
export async function streamChat(origin: string, body: Record<string, unknown>): Promise<StreamedAnswer> {
  const response = await postChat(origin, { ...body, stream: true });
  const answer: StreamedAnswer = {
    status: response.status,
    chunks: [],
    content: '',
    reasoning: '',
    finishReason: null,
    usage: undefined,
    errors: [],
    done: false,
  };
  if (response.status !== 200) {
    answer.errors.push(await response.json());
    return answer;
  }
  const { events, done } = await readSse(response);
  answer.done = done;
  for (const { data: frame } of events) {
    if (frame.error) {
      answer.errors.push(frame);
      continue;
    }
    answer.chunks.push(frame);
    if (frame.usage) answer.usage = frame.usage;
    for (const choice of frame.choices) {
      answer.content += choice.delta.content ?? '';
      answer.reasoning += choice.delta.reasoning_content ?? '';
      if (choice.finish_reason) answer.finishReason = choice.finish_reason;
    }
  }
  return answer;
}

/** Names of the tools the CLI offered the model in one API request. */
export function toolNames(request: RecordedRequest | undefined): string[] {
  return (request?.body.tools ?? []).map((tool) => tool.name);
}

/** Every tool_result block the CLI sent in one API request. */
export function toolResults(request: RecordedRequest | undefined): Array<Record<string, unknown>> {
  const results: Array<Record<string, unknown>> = [];
  for (const message of request?.body.messages ?? []) {
    if (typeof message.content === 'string') continue;
    for (const block of message.content) if (block.type === 'tool_result') results.push(block);
  }
  return results;
}

export function requestAt(requests: readonly RecordedRequest[], index: number): RecordedRequest {
  const request = requests[index];
  if (!request) throw new Error(`the mock received ${requests.length} requests, not ${index + 1}`);
  return request;
}

/** A JSON body read loosely: tests assert its shape field by field. */
export async function json(response: Response): Promise<any> {
  return response.json();
}
