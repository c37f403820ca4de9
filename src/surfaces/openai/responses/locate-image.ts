import type { ResponsesRequest } from './schema.js';

/** Where the client put an image URL, e.g. `input[2].content[1].image_url`, for an error's `param`. */
export function locateImage(request: ResponsesRequest, url: string): string | null {
  if (!Array.isArray(request.input)) return null;
  for (const [i, item] of request.input.entries()) {
    if (item.type !== 'message' || typeof item.content === 'string') continue;
    for (const [j, part] of item.content.entries()) {
      if (part.type === 'input_image' && part.image_url === url) return `input[${i}].content[${j}].image_url`;
    }
  }
  return null;
}
