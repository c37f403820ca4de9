import type { ErrorRenderer } from '../contract/gateway-error.js';

/**
 * Which surface renders the errors of a path: app.onError, notFound and the body guards ask it, so a
 * request to /v1/messages fails in Anthropic's shape and one to /v1/chat/completions in OpenAI's.
 * The longest matching prefix wins; the fallback renders everything else.
 */
export interface ErrorRenderers {
  /** `prefix` matches the path itself and anything below it (`/v1/messages` covers `/v1/messages/batches`). */
  register(prefix: string, renderer: ErrorRenderer): void;
  rendererFor(path: string): ErrorRenderer;
}

export function createErrorRenderers(fallback: ErrorRenderer): ErrorRenderers {
  const entries: Array<{ prefix: string; renderer: ErrorRenderer }> = [];
  return {
    register(prefix, renderer) {
      const normalized = prefix.endsWith('/') && prefix.length > 1 ? prefix.slice(0, -1) : prefix;
      entries.push({ prefix: normalized, renderer });
      // Longest prefix first, so /v1/messages wins over /v1.
      entries.sort((a, b) => b.prefix.length - a.prefix.length);
    },
    rendererFor(path) {
      const match = entries.find(
        ({ prefix }) => path === prefix || path.startsWith(prefix === '/' ? '/' : `${prefix}/`),
      );
      return match?.renderer ?? fallback;
    },
  };
}
