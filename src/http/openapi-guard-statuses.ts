import type { JsonObject } from './openapi-document.js';

/** Which guards stand in front of a path (src/gateway/create-app.ts installs them for every route). */
export interface GuardedPaths {
  /** Probes and docs: no key, never turned away while draining. */
  isPublic(path: string): boolean;
  /** Paths with their own sign-in (the console), which the API key guard leaves alone. */
  hasOwnSignIn(path: string): boolean;
}

interface GuardStatus {
  status: string;
  description: string;
  applies: (path: string, operation: JsonObject, paths: GuardedPaths) => boolean;
}

/**
 * The statuses the app's guards answer before a route runs, so every operation declares them without
 * each route repeating them: a keyless gateway's Host/Origin check (403), the API key (401), the body
 * checks (400 malformed, not UTF-8 or too deep; 413 too large) and draining or an unreachable shared
 * store (503).
 */
const GUARD_STATUSES: readonly GuardStatus[] = [
  {
    status: '400',
    description: 'The body is not valid JSON, not UTF-8, or nests too deep.',
    applies: (_path, operation) => operation.requestBody !== undefined,
  },
  {
    status: '401',
    description: 'Missing or unknown API key.',
    applies: (path, _operation, paths) => !paths.isPublic(path) && !paths.hasOwnSignIn(path),
  },
  {
    status: '403',
    description:
      'A gateway without keys answers only loopback Host names (`host_not_allowed`) and no foreign web page (`origin_not_allowed`).',
    applies: () => true,
  },
  {
    status: '413',
    description: 'The body is larger than `MAX_BODY_BYTES` (`request_too_large`).',
    applies: (_path, operation) => operation.requestBody !== undefined,
  },
  {
    status: '503',
    description: 'The gateway is shutting down (`shutting_down`) or its shared store does not answer.',
    // Anthropic's wire says "unavailable" with 529, which its operations declare instead.
    applies: (path, operation, paths) => !paths.isPublic(path) && !declares(operation, '529'),
  },
];

function declares(operation: JsonObject, status: string): boolean {
  return (
    typeof operation.responses === 'object' && operation.responses !== null && status in operation.responses
  );
}

const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options']);

/**
 * Adds the guard statuses an operation does not declare yet, in the error shape the operation's own
 * errors have (its surface's), or OpenAI's `Error` where it declares none. Changes `document` in place.
 */
export function declareGuardStatuses(document: JsonObject, paths: GuardedPaths): void {
  const documentPaths = (document.paths ?? {}) as Record<string, Record<string, JsonObject>>;
  for (const [path, operations] of Object.entries(documentPaths)) {
    for (const [method, operation] of Object.entries(operations)) {
      if (!METHODS.has(method)) continue;
      operation.responses ??= {};
      const responses = operation.responses as Record<string, JsonObject>;
      const content = errorContentOf(responses);
      for (const guard of GUARD_STATUSES) {
        if (responses[guard.status] || !guard.applies(path, operation, paths)) continue;
        responses[guard.status] = { description: guard.description, content };
      }
    }
  }
}

function errorContentOf(responses: Record<string, JsonObject>): JsonObject {
  const declared = Object.entries(responses).find(
    ([status, response]) => Number(status) >= 400 && isJsonContent(response.content),
  );
  return declared
    ? structuredClone(declared[1].content as JsonObject)
    : { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };
}

function isJsonContent(content: unknown): boolean {
  return typeof content === 'object' && content !== null && 'application/json' in content;
}
