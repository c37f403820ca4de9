// zod with `.openapi()`: a schema gets that method only if it is built after the extension loads.
import { z } from '@hono/zod-openapi';

/**
 * What the gateway reads from a legacy Completions request (`POST /v1/completions`). Loose: clients
 * (LlamaIndex `OpenAILike`, editor autocomplete) send sampling fields Claude Code cannot apply, and
 * those are accepted and ignored. Fields that would change the answer's shape (`echo`, `suffix`,
 * `n`, `best_of`, `logprobs`) are read so to-plan can reject them by name.
 */
export const completionRequestSchema = z.looseObject({
  model: z.string().min(1),
  /** A string, or an array of them (one prompt per choice); token-id arrays are not text. */
  prompt: z.union([z.string(), z.array(z.string())]),
  max_tokens: z.number().int().positive().nullish(),
  stop: z.union([z.string(), z.array(z.string())]).nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  echo: z.boolean().nullish(),
  suffix: z.string().nullish(),
  n: z.number().int().positive().nullish(),
  best_of: z.number().int().positive().nullish(),
  logprobs: z.number().int().nullish(),
  user: z.string().nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  frequency_penalty: z.number().nullish(),
  presence_penalty: z.number().nullish(),
  seed: z.number().nullish(),
});
export type CompletionRequest = z.infer<typeof completionRequestSchema>;
