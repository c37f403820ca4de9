import type { ErrorRenderer } from '../contract/gateway-error.js';
import { createPathTable } from './path-table.js';

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
  const table = createPathTable<ErrorRenderer>();
  return {
    register: (prefix, renderer) => table.register(prefix, renderer),
    rendererFor: (path) => table.lookup(path) ?? fallback,
  };
}
