import type { MessagesRequest } from './schema.js';

/** Where the client put an image URL, e.g. `messages[2].content[1].source`, for an error's `param`. */
export function locateImage(request: MessagesRequest, url: string): string | null {
  for (const [i, message] of request.messages.entries()) {
    if (typeof message.content === 'string') continue;
    for (const [j, block] of message.content.entries()) {
      if (block.type === 'image' && block.source.type === 'url' && block.source.url === url) {
        return `messages[${i}].content[${j}].source`;
      }
      if (block.type !== 'tool_result' || typeof block.content !== 'object') continue;
      for (const [k, part] of (block.content ?? []).entries()) {
        if (part.type === 'image' && part.source.type === 'url' && part.source.url === url) {
          return `messages[${i}].content[${j}].content[${k}].source`;
        }
      }
    }
  }
  return null;
}
