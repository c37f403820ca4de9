import type { Surface } from '../../../http/surface.js';
import { renderOpenAIError } from '../openai-error.js';
import { type ChatRouteDeps, chatCompletionsRoutes } from './route.js';

/**
 * The OpenAI chat surface: POST /v1/chat/completions (and /chat/completions) and the completions it
 * stored, OpenAI error bodies.
 */
export function openAIChatSurface(deps: ChatRouteDeps): Surface {
  return {
    name: 'openai-chat',
    routes: chatCompletionsRoutes(deps),
    errors: [
      { prefix: '/v1/chat', renderer: renderOpenAIError },
      { prefix: '/chat', renderer: renderOpenAIError },
    ],
  };
}
