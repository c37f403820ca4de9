import { type TimedChat, timedSurface } from './timed-surface.js';

export type { TimedChat } from './timed-surface.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** One streaming chat completion against the gateway, timed from the request to each milestone. */
export function timedChat(
  baseUrl: string,
  body: { model: string; messages: ChatMessage[]; [key: string]: unknown },
): Promise<TimedChat> {
  return timedSurface(baseUrl, 'openai-chat', {
    path: '/v1/chat/completions',
    body: { ...body, stream: true },
  });
}
