// zod with `.openapi()`: a schema gets that method only if it is built after the extension loads.
import { z } from '@hono/zod-openapi';

/** The wires the playground can speak, each through the gateway's own route. */
export const PLAYGROUND_SURFACES = ['openai-chat', 'openai-responses', 'anthropic-messages'] as const;
export type PlaygroundSurface = (typeof PLAYGROUND_SURFACES)[number];

export const playgroundSchema = z.object({
  surface: z.enum(PLAYGROUND_SURFACES),
  model: z.string().min(1).max(256),
  system: z.string().max(100_000).optional(),
  message: z.string().min(1).max(1_000_000),
});

export type PlaygroundInput = z.infer<typeof playgroundSchema>;

/** The streaming request a real client of that surface would send for one message. */
export function playgroundRequest(input: PlaygroundInput, origin: string, signal: AbortSignal): Request {
  const system = input.system?.trim() ? input.system : undefined;
  const [pathName, body] = ((): [string, unknown] => {
    switch (input.surface) {
      case 'openai-chat':
        return [
          '/v1/chat/completions',
          {
            model: input.model,
            stream: true,
            stream_options: { include_usage: true },
            messages: [
              ...(system ? [{ role: 'system', content: system }] : []),
              { role: 'user', content: input.message },
            ],
          },
        ];
      case 'openai-responses':
        return [
          '/v1/responses',
          {
            model: input.model,
            stream: true,
            ...(system ? { instructions: system } : {}),
            input: input.message,
          },
        ];
      case 'anthropic-messages':
        return [
          '/v1/messages',
          {
            model: input.model,
            stream: true,
            max_tokens: 4096,
            ...(system ? { system } : {}),
            messages: [{ role: 'user', content: input.message }],
          },
        ];
    }
  })();
  return new Request(new URL(pathName, origin), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  });
}
