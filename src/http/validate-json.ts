import type { ValidationTargets } from 'hono';
import { validator } from 'hono/validator';
import type { ZodType, z } from 'zod';
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
  return zodValidator('json', schema, (issues) => firstIssue(issues, 'body'));
}

/** zod validation of the query string, failing the same way (`param` names the query parameter). */
export function validateQuery<T extends ZodType>(schema: T) {
  return zodValidator('query', schema, (issues) => firstIssue(issues, 'query'));
}

export type ZodIssues = readonly { path: readonly PropertyKey[]; message: string }[];

/**
 * A request part validated with `schema`; what fails is thrown as `refusal(issues)`. Parsed
 * synchronously: no schema here refines asynchronously, and zod's async parse costs a conversation's
 * history a promise per field (0.2-0.3 ms for 80 messages, before every turn).
 */
export function zodValidator<Target extends keyof ValidationTargets, T extends ZodType>(
  target: Target,
  schema: T,
  refusal: (issues: ZodIssues) => Error,
) {
  return validator(target, (value): z.output<T> => {
    const result = schema.safeParse(value);
    if (!result.success) throw refusal(result.error.issues);
    return result.data;
  });
}

function firstIssue(issues: ZodIssues, where: string) {
  const issue = issues[0];
  const param = issue ? paramPath(issue.path) : null;
  const message = issue
    ? `Invalid value for '${param || where}': ${issue.message}`
    : `Invalid request ${where}.`;
  return invalidRequest(message, param || null);
}
