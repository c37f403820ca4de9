/** The console's JSON API client: same-origin cookie, CSRF header on changes, typed errors. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface Api {
  get<T>(path: string): Promise<T>;
  send<T>(method: 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /** A raw POST for streaming answers (the playground). */
  stream(path: string, body: unknown, signal: AbortSignal): Promise<Response>;
}

export function createApi(csrf: () => string | undefined, onSignedOut: () => void): Api {
  async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json' };
    const token = csrf();
    if (method !== 'GET' && token) headers['x-csrf-token'] = token;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`/console/api${path}`, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const payload: unknown = await response.json().catch(() => undefined);
    if (!response.ok) {
      if (response.status === 401 && path !== '/session') onSignedOut();
      throw new ApiError(response.status, errorMessage(payload) ?? `HTTP ${response.status}`);
    }
    return payload as T;
  }
  return {
    get: (path) => call('GET', path),
    send: (method, path, body) => call(method, path, body),
    async stream(path, body, signal) {
      const response = await fetch(`/console/api${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrf() ?? '' },
        credentials: 'same-origin',
        body: JSON.stringify(body),
        signal,
      });
      if (!response.ok) {
        const payload: unknown = await response.json().catch(() => undefined);
        throw new ApiError(response.status, errorMessage(payload) ?? `HTTP ${response.status}`);
      }
      return response;
    },
  };
}

/** Error bodies of every surface: OpenAI/Anthropic `{error:{message}}`, native `{error:{message}}`. */
function errorMessage(payload: unknown): string | undefined {
  if (typeof payload !== 'object' || payload === null || !('error' in payload)) return undefined;
  const error = (payload as { error: unknown }).error;
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const message = (error as { message: unknown }).message;
    return typeof message === 'string' ? message : undefined;
  }
  return undefined;
}
