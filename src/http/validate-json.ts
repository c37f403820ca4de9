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
    if (!result.success) throw firstIssue(result.error.issues, 'body');
  });
}

/** zod validation of the query string, failing the same way (`param` names the query parameter). */
export function validateQuery<T extends ZodType>(schema: T) {
  return zValidator('query', schema, (result) => {
    if (!result.success) throw firstIssue(result.error.issues, 'query');
  });
}

function firstIssue(issues: readonly { path: readonly PropertyKey[]; message: string }[], where: string) {
  const issue = issues[0];
  const param = issue ? paramPath(issue.path) : null;
  const message = issue
    ? `Invalid value for '${param || where}': ${issue.message}`
    : `Invalid request ${where}.`;
  return invalidRequest(message, param || null);
}
