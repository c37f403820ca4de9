/**
 * Streaming chat completions over node:http with one kept-alive connection: the leanest client, so
 * a hot turn's time to first token is the gateway's and not a client library's (fetch and its
 * stream reader add about a millisecond each way on this kind of machine).
 */
import http from 'node:http';
import type { ChatMessage, TimedChat } from './timed-chat.js';
import { textOf } from './timed-surface.js';

export interface ChatClient {
  chat(body: { model: string; messages: ChatMessage[] }): Promise<TimedChat>;
  close(): void;
}

export function httpChatClient(baseUrl: string): ChatClient {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  return {
    chat: (body) =>
      streamedChat(`${baseUrl}/v1/chat/completions`, agent, JSON.stringify({ ...body, stream: true })),
    close: () => agent.destroy(),
  };
}

function streamedChat(url: string, agent: http.Agent, payload: string): Promise<TimedChat> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let ttftMs = Number.NaN;
    let lastContentMs = Number.NaN;
    let content = '';
    let failed = false;
    let pending = '';
    const onFrame = (frame: string) => {
      if (!frame.startsWith('data: ') || frame === 'data: [DONE]') return;
      const frameText = textOf('openai-chat', JSON.parse(frame.slice('data: '.length)));
      if (frameText.failed) failed = true;
      const { text } = frameText;
      if (!text) return;
      lastContentMs = performance.now() - started;
      if (Number.isNaN(ttftMs)) ttftMs = lastContentMs;
      content += text;
    };
    const request = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (response) => {
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          pending += chunk;
          for (let end = pending.indexOf('\n\n'); end >= 0; end = pending.indexOf('\n\n')) {
            onFrame(pending.slice(0, end));
            pending = pending.slice(end + 2);
          }
        });
        const serverTiming = String(response.headers['server-timing'] ?? '');
        const claude = /claude;dur=([\d.]+)/.exec(serverTiming);
        const gateway = /gateway;dur=([\d.]+)/.exec(serverTiming);
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          const ttlbMs = performance.now() - started;
          resolve({
            ok: status === 200 && !failed && content.length > 0,
            status,
            ttftMs,
            ttlbMs,
            ...(Number.isNaN(lastContentMs) ? {} : { lastContentMs }),
            content,
            ...(claude ? { claudeMs: Number(claude[1]) } : {}),
            ...(gateway ? { gatewayMs: Number(gateway[1]) } : {}),
          });
        });
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(payload);
  });
}
