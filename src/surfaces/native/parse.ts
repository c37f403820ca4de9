import type { Context } from 'hono';
import type { ZodType, z } from 'zod';
import { invalidRequest } from './errors.js';

/** Validates with zod; the first issue becomes an INVALID_REQUEST naming the field. */
export function parseWith<T extends ZodType>(schema: T, value: unknown): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join('.') || undefined;
  throw invalidRequest(
    issue ? `Invalid value for '${field ?? 'body'}': ${issue.message}` : 'Invalid request body.',
    field,
  );
}

/** The JSON body; an empty body reads as `{}` (every field of a session is optional). */
export async function jsonBody(c: Context): Promise<unknown> {
  const text = await c.req.text();
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidRequest('The request body is not valid JSON.');
  }
}
