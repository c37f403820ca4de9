import { zValidator } from '@hono/zod-validator';
import type { ZodType } from 'zod';
import { invalidRequest } from './errors.js';

/**
 * zod validation whose failures are 400s worded as Anthropic words them (`messages.0.content: ...`),
 * with `param` naming the field for logs and audit.
 */
export function validateBody<T extends ZodType>(schema: T) {
  return zValidator('json', schema, (result) => {
    if (result.success) return;
    const issue = result.error.issues[0];
    const path = issue ? issue.path.map(String).join('.') : '';
    throw invalidRequest(
      issue ? `${path || 'body'}: ${issue.message}` : 'Invalid request body.',
      path || null,
    );
  });
}
