import type { Surface } from '../../../http/surface.js';
import { renderOpenAIError } from '../openai-error.js';
import type { ResponsesDeps } from './respond.js';
import { responsesRoutes } from './route.js';

/** The OpenAI Responses surface: /v1/responses (and /responses), OpenAI error bodies. */
export function openAIResponsesSurface(deps: ResponsesDeps): Surface {
  return {
    name: 'openai-responses',
    routes: responsesRoutes(deps),
    errors: [
      { prefix: '/v1/responses', renderer: renderOpenAIError },
      { prefix: '/responses', renderer: renderOpenAIError },
    ],
  };
}
