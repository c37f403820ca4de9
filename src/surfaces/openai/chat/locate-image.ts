import type { ChatCompletionRequest } from './schema.js';

/** Where the client put an image URL, e.g. `messages[2].content[1].image_url`, for an error's `param`. */
export function locateImage(request: ChatCompletionRequest, url: string): string | null {
  for (const [i, message] of request.messages.entries()) {
    if (typeof message.content === 'string' || !message.content) continue;
    for (const [j, part] of message.content.entries()) {
      if (part.type !== 'image_url') continue;
      const partUrl = typeof part.image_url === 'string' ? part.image_url : part.image_url.url;
      if (partUrl === url) return `messages[${i}].content[${j}].image_url`;
    }
  }
  return null;
}
