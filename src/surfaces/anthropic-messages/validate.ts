import type { ZodType } from 'zod';
import { zodValidator } from '../../http/validate-json.js';
import { invalidRequest } from './errors.js';

/**
 * zod validation whose failures are 400s worded as Anthropic words them (`messages.0.content: ...`),
 * with `param` naming the field for logs and audit.
 */
export function validateBody<T extends ZodType>(schema: T) {
  return zodValidator('json', schema, (issues) => {
    const issue = issues[0];
    const path = issue ? issue.path.map(String).join('.') : '';
    return invalidRequest(
      issue ? `${path || 'body'}: ${issue.message}` : 'Invalid request body.',
      path || null,
    );
  });
}
