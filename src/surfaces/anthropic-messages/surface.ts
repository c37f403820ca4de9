import type { Surface } from '../../http/surface.js';
import { renderAnthropicError } from './render-error.js';
import { type AnthropicMessagesDeps, anthropicMessagesRoutes } from './route.js';

/** The Anthropic Messages surface: POST /v1/messages and /v1/messages/count_tokens, Anthropic errors. */
export function anthropicMessagesSurface(deps: AnthropicMessagesDeps): Surface {
  return {
    name: 'anthropic-messages',
    routes: anthropicMessagesRoutes(deps),
    errors: [
      { prefix: '/v1/messages', renderer: renderAnthropicError },
      { prefix: '/messages', renderer: renderAnthropicError },
    ],
  };
}
