/** Small fetch helpers for the security, ops and hardening tests. */

export const chatBody = (content = 'hi', extra: Record<string, unknown> = {}) => ({
  model: 'sonnet',
  messages: [{ role: 'user', content }],
  ...extra,
});

export function postJson(
  origin: string,
  path: string,
  body: unknown,
  headers: Record<string, string> = {},
  signal?: AbortSignal,
): Promise<Response> {
  return fetch(`${origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: signal ?? null,
  });
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

export interface ErrorReply {
  status: number;
  headers: Headers;
  error: { message: string; type: string; param: string | null; code: string | null };
}

/** Reads an error response and checks it has the OpenAI shape and a JSON content type. */
export async function readError(response: Response): Promise<ErrorReply> {
  const contentType = response.headers.get('content-type') ?? '';
  const body = (await response.json()) as { error?: ErrorReply['error'] };
  if (!contentType.startsWith('application/json') || !body.error) {
    throw new Error(`not an OpenAI error response: ${contentType} ${JSON.stringify(body)}`);
  }
  const { message, type, param, code } = body.error;
  if (typeof message !== 'string' || typeof type !== 'string' || param === undefined || code === undefined) {
    throw new Error(`incomplete OpenAI error body: ${JSON.stringify(body)}`);
  }
  return { status: response.status, headers: response.headers, error: body.error };
}
