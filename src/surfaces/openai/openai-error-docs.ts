import { z } from '@hono/zod-openapi';
import { jsonResponse } from '../../http/openapi-route.js';

/** The OpenAI error body (src/surfaces/openai/openai-error.ts) as the OpenAPI document names it: `Error`. */
export const openAIErrorSchema = z
  .object({
    error: z.object({
      message: z.string(),
      type: z.string(),
      param: z.string().nullable(),
      code: z.string().nullable(),
    }),
  })
  .openapi('Error');

/** A response with the OpenAI error body: what the OpenAI surfaces and the gateway's own routes send. */
export const openAIError = (description: string) => jsonResponse(description, openAIErrorSchema);

/** Every route behind the API key may answer these. */
export const openAIAuthErrors = {
  401: openAIError('Missing or unknown API key.'),
  403: openAIError('The key may not do this (model, agent mode or tool not allowed; admin only).'),
};

/** What a route that runs Claude Code may answer besides its own errors. */
export const openAIRunErrors = {
  ...openAIAuthErrors,
  413: openAIError('Body or attachment larger than allowed.'),
  429: openAIError(
    'Rate limit, per-key concurrency, gateway queue full, or budget used up (`insufficient_quota`).',
  ),
  502: openAIError(
    'The Claude API refused the gateway’s credentials (`upstream_auth_failed`) or failed (`upstream_error`), Claude Code crashed (`claude_code_crashed`), or the answer missed its structured output (`structured_output_failed`).',
  ),
  503: openAIError(
    'No Claude Code slot free in time, the Claude API overloaded or unreachable, or shutting down.',
  ),
  504: openAIError('The run took longer than the gateway allows (`request_timeout`).'),
};
