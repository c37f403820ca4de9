import { zValidator } from '@hono/zod-validator';
import type { ZodType } from 'zod';
import { invalidRequest } from '../contract/errors.js';
import { truncateForEcho } from '../contract/field-limits.js';

/** `messages[0].content` style, as OpenAI names a `param`. */
export function paramPath(path: readonly PropertyKey[]): string {
  return path
    .map((segment, i) =>
      // A key can be the client's own string (a record's key): never repeat it at full length.
      typeof segment === 'number'
        ? `[${segment}]`
        : `${i === 0 ? '' : '.'}${truncateForEcho(String(segment), 64)}`,
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
