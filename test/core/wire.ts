/** Reads an SSE response body the way a strict client does: every `data:` line must be JSON or [DONE]. */
export interface SseRead {
  frames: string[];
  comments: string[];
  done: boolean;
}

export async function readSse(response: Response): Promise<SseRead> {
  const text = await response.text();
  const frames: string[] = [];
  const comments: string[] = [];
  let done = false;
  for (const event of text.split('\n\n')) {
    for (const line of event.split('\n')) {
      if (line.startsWith(':')) comments.push(line);
      else if (line.startsWith('data: ')) {
        const data = line.slice('data: '.length);
        if (data === '[DONE]') done = true;
        else frames.push(data);
      } else if (line !== '') throw new Error(`unexpected SSE line: ${line}`);
    }
  }
  return { frames, comments, done };
}

export function postChat(
  origin: string,
  body: unknown,
  headers: Record<string, string> = {},
  path = '/v1/chat/completions',
) {
  return fetch(`${origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test', ...headers },
    body: JSON.stringify(body),
  });
}

/** A JSON body read loosely: tests assert its shape field by field. */
export async function json(response: Response): Promise<any> {
  return response.json();
}
