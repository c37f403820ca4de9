// zod with `.openapi()`: a schema gets that method only if it is built after the extension loads.
import { z } from '@hono/zod-openapi';

/**
 * What the native API reads from its requests. Loose objects: these clients (curl scripts, Python,
 * Go) send extra fields we ignore. Field names are the native API's own (camelCase).
 */

const permissionMode = z.enum(['default', 'acceptEdits', 'plan', 'dontAsk', 'bypassPermissions']);

export const createSessionSchema = z.looseObject({
  model: z.string().min(1).optional(),
  systemPrompt: z.string().optional(),
  // The last four are agent settings: allowed only under the server's and the key's agent rules.
  maxTurns: z.number().int().positive().max(100).optional(),
  permissionMode: permissionMode.optional(),
  cwd: z.string().min(1).optional(),
  tools: z.array(z.string().min(1)).optional(),
});

/** Longest a client may ask a turn to run for, in milliseconds (the server's own bound still applies). */
const timeout = z.number().int().positive().optional();

export const sendMessageSchema = z.looseObject({
  prompt: z.string().min(1),
  stream: z.boolean().optional(),
  timeout,
});

export const streamBodySchema = z.looseObject({ prompt: z.string().min(1), timeout });

/** `GET .../stream?prompt=...` for EventSource, which can only send GET requests. */
export const streamQuerySchema = z.looseObject({
  prompt: z.string().min(1),
  timeout: z.coerce.number().int().positive().optional(),
});

/** Frames a WebSocket client sends. */
export const clientFrameSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('message'), prompt: z.string().min(1), timeout }),
  z.looseObject({ type: z.literal('cancel') }),
  z.looseObject({ type: z.literal('ping') }),
]);

export type CreateSessionBody = z.infer<typeof createSessionSchema>;
export type SendMessageBody = z.infer<typeof sendMessageSchema>;
export type ClientFrame = z.infer<typeof clientFrameSchema>;
