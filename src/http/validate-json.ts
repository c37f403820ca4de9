import { zValidator } from '@hono/zod-validator';
import type { ZodType } from 'zod';
import { invalidRequest } from '../core/errors.js';

/** `messages[0].content` style, as OpenAI names a `param`. */
export function paramPath(path: readonly PropertyKey[]): string {
  return path
    .map((segment, i) =>
      typeof segment === 'number' ? `[${segment}]` : `${i === 0 ? '' : '.'}${String(segment)}`,
    )
    .join('');
}

/** zod validation of a JSON body whose failures become OpenAI 400s naming the offending param. */
export function validateJson<T extends ZodType>(schema: T) {
  return zValidator('json', schema, (result) => {
    if (result.success) return;
    const issue = result.error.issues[0];
    const param = issue ? paramPath(issue.path) : null;
    const message = issue
      ? `Invalid value for '${param || 'body'}': ${issue.message}`
      : 'Invalid request body.';
    throw invalidRequest(message, param || null);
  });
}
