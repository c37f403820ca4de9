export function postChat(
  origin: string,
  body: unknown,
  headers: Record<string, string> = {},
  path = '/v1/chat/completions',
) {
  return fetch(`${origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: 'Bearer sk-test', ...headers },
    body: JSON.stringify(body),
  });
}

/** A JSON body read loosely: tests assert its shape field by field. */
export async function json(response: Response): Promise<any> {
  return response.json();
}
