import type { Surface } from '../../../http/surface.js';
import { renderOpenAIError } from '../openai-error.js';
import { type CompletionsDeps, completionsRoutes } from './route.js';

/** The legacy OpenAI completions surface: POST /v1/completions, OpenAI error bodies. */
export function completionsSurface(deps: CompletionsDeps): Surface {
  return {
    name: 'openai-completions',
    routes: completionsRoutes(deps),
    errors: [
      { prefix: '/v1/completions', renderer: renderOpenAIError },
      { prefix: '/completions', renderer: renderOpenAIError },
    ],
  };
}
