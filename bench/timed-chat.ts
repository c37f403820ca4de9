/** One streaming chat completion against the gateway, timed from the request to each milestone. */
export interface TimedChat {
  ok: boolean;
  status: number;
  /** Request sent → first chunk with content. */
  ttftMs: number;
  /** Request sent → end of the response body (after `data: [DONE]`). */
  ttlbMs: number;
  /** Request sent → the last chunk with content (the answer is complete from here on). */
  lastContentMs?: number;
  content: string;
}

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export async function timedChat(
  baseUrl: string,
  body: { model: string; messages: ChatMessage[]; [key: string]: unknown },
  headers: Record<string, string> = {},
): Promise<TimedChat> {
  const started = performance.now();
  let ttftMs = Number.NaN;
  let lastContentMs = Number.NaN;
  let content = '';
  let failed = false;
  const response = await fetch(`${baseUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ ...body, stream: true }),
  });
  if (!response.ok || !response.body) {
    await response.text().catch(() => '');
    const ttlbMs = performance.now() - started;
    return { ok: false, status: response.status, ttftMs, ttlbMs, lastContentMs: Number.NaN, content };
  }
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const bytes of response.body) {
    buffered += decoder.decode(bytes, { stream: true });
    let newline = buffered.indexOf('\n');
    while (newline >= 0) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      newline = buffered.indexOf('\n');
      if (!line.startsWith('data:') || line === 'data: [DONE]') continue;
      const frame = JSON.parse(line.slice(5)) as {
        error?: unknown;
        choices?: Array<{ delta?: { content?: string | null } }>;
      };
      if (frame.error) failed = true;
      const delta = frame.choices?.[0]?.delta?.content;
      if (delta) {
        if (Number.isNaN(ttftMs)) ttftMs = performance.now() - started;
        lastContentMs = performance.now() - started;
        content += delta;
      }
    }
  }
  return {
    ok: !failed && content.length > 0,
    status: response.status,
    ttftMs,
    ttlbMs: performance.now() - started,
    lastContentMs,
    content,
  };
}
