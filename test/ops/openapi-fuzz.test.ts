/**
 * Requests generated from /openapi.json, valid and boundary-breaking (body, path, query, headers,
 * credentials), against a gateway whose Claude Code talks to the mock Messages API. For every answer:
 * no hang, no 5xx but the upstream ones the document declares, a status the document declares for
 * that operation, and a JSON body (2xx or error) that matches the schema declared for that status,
 * which is how each surface's error shape is checked. The seed is fixed, so a failure replays.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { useHarness } from '../helpers/gateway-harness.js';
import { brokenValue, type Schema, type SchemaContext, validValue } from '../helpers/schema-arbitrary.js';

const OWNER = 'sk-fuzz-owner-key-000001';
const ADMIN = 'sk-fuzz-admin-key-000002';
const SEED = 20_240_623;
/** Requests per operation: some 66 operations, so about 400 in all. */
const RUNS_PER_OPERATION = 6;
/** A request that takes longer than this counts as a hang. */
const REQUEST_TIMEOUT_MS = 30_000;
/** The 5xx an answer may have when the document declares it: upstream and capacity, never a bug. */
const UPSTREAM_STATUSES = new Set([502, 503, 504, 529]);
/** How long a stream is read before the test moves on. */
const STREAM_SAMPLE_MS = 1_500;

const h = useHarness({ config: { GATEWAY_API_KEYS: OWNER, GATEWAY_ADMIN_KEY: ADMIN } });

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema?: Schema;
}

interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  requestBody?: { content?: Record<string, { schema?: Schema }> };
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>;
  security?: unknown[];
}

interface GeneratedRequest {
  path: Record<string, string>;
  query: Record<string, string>;
  credentials: 'key' | 'admin' | 'none' | 'wrong';
  body: { kind: 'none' } | { kind: 'json'; value: unknown } | { kind: 'text'; text: string };
  contentType: string;
}

let document: Record<string, unknown>;
let operations: Operation[] = [];
let consoleCookie = '';
let sessionId = '';

/**
 * One valid body for the operations that run Claude Code: random bodies that pass the schema rarely
 * mean anything (a conversation of random messages), so these, as they are and with random fields
 * laid over them, are what reach the model.
 */
const EXAMPLES: Record<string, unknown> = {
  'POST /v1/chat/completions': { model: 'sonnet', messages: [{ role: 'user', content: 'Hello' }] },
  'POST /v1/completions': { model: 'sonnet', prompt: 'Once upon a time', max_tokens: 16 },
  'POST /v1/responses': { model: 'sonnet', input: 'Hello' },
  'POST /v1/messages': { model: 'sonnet', max_tokens: 64, messages: [{ role: 'user', content: 'Hello' }] },
  'POST /v1/messages/count_tokens': { model: 'sonnet', messages: [{ role: 'user', content: 'Hello' }] },
  'POST /api/v1/sessions': { model: 'sonnet' },
  'POST /api/v1/sessions/{id}/messages': { prompt: 'Hello' },
  'POST /api/v1/sessions/{id}/stream': { prompt: 'Hello' },
  'POST /api/v1/templates/{name}/generate': { variables: { topic: 'Hooks' } },
  'POST /api/generate/card': { topic: 'Hooks' },
  'POST /console/api/playground': { surface: 'openai-chat', model: 'sonnet', message: 'Hello' },
};
const ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: false });
const validators = new Map<string, ValidateFunction>();
const COMPONENTS_ID = 'https://claude-gateway.invalid/openapi.json';

beforeAll(async () => {
  document = (await (await fetch(`${h.origin}/openapi.json`)).json()) as Record<string, unknown>;
  operations = Object.entries(
    document.paths as Record<
      string,
      Record<string, Omit<Operation, 'method' | 'path' | 'parameters'> & { parameters?: Parameter[] }>
    >,
  ).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, operation]) => ({
      parameters: [],
      ...operation,
      method: method.toUpperCase(),
      path,
    })),
  );
  const signIn = await fetch(`${h.origin}/console/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ key: ADMIN }),
  });
  consoleCookie = (signIn.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  const created = await fetch(`${h.origin}/api/v1/sessions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${OWNER}` },
    body: JSON.stringify({ model: 'sonnet' }),
  });
  sessionId = ((await created.json()) as { sessionId: string }).sessionId;
});

function context(): SchemaContext {
  return {
    document,
    hints: {
      model: ['sonnet', 'haiku', 'claude-sonnet-4-5'],
      id: [sessionId, 'sonnet'],
      name: ['daily-knowledge-card-template.md'],
      prompt: ['Hello'],
    },
    maxDepth: 3,
  };
}

function requestArbitrary(operation: Operation): fc.Arbitrary<GeneratedRequest> {
  const ctx = context();
  const pathParams = operation.parameters.filter((p) => p.in === 'path');
  const queryParams = operation.parameters.filter((p) => p.in === 'query');
  const stringOf = (schema: Schema | undefined, name: string) =>
    fc.oneof(
      validValue(schema ?? {}, ctx, 0, name).map((value) =>
        typeof value === 'string' ? value : JSON.stringify(value),
      ),
      fc.constantFrom('', 'x'.repeat(300), '..%2F..%2Fetc', '\u00e9\u4e2d', '-1', '0', '99999999999'),
    );
  const pathArbitrary = fc.record(
    Object.fromEntries(
      pathParams.map((p) => [p.name, stringOf(p.schema, p.name).filter((value) => value !== '')]),
    ),
  ) as fc.Arbitrary<Record<string, string>>;
  const queryArbitrary = fc.record(
    Object.fromEntries(queryParams.map((p) => [p.name, stringOf(p.schema, p.name)])),
    {
      requiredKeys: [],
    },
  ) as fc.Arbitrary<Record<string, string>>;
  const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
  const example = EXAMPLES[`${operation.method} ${operation.path}`];
  const json = (value: unknown) => ({ kind: 'json' as const, value });
  const examples: Array<{ weight: number; arbitrary: fc.Arbitrary<GeneratedRequest['body']> }> =
    example !== undefined && bodySchema
      ? [
          { weight: 3, arbitrary: fc.constant(json(example)) },
          {
            weight: 2,
            arbitrary: validValue(bodySchema, ctx).map((random) =>
              json({ ...(random as Record<string, unknown>), ...(example as Record<string, unknown>) }),
            ),
          },
        ]
      : [];
  const bodyArbitrary: fc.Arbitrary<GeneratedRequest['body']> = bodySchema
    ? fc.oneof(
        ...examples,
        {
          weight: 3,
          arbitrary: validValue(bodySchema, ctx).map((value) => ({ kind: 'json' as const, value })),
        },
        {
          weight: 3,
          arbitrary: brokenValue(bodySchema, ctx).map((value) => ({ kind: 'json' as const, value })),
        },
        {
          weight: 1,
          arbitrary: fc
            .constantFrom('{', 'not json', '[1,2', '{"a":', '\u0000', '{"deep":'.repeat(200))
            .map((text) => ({ kind: 'text' as const, text })),
        },
      )
    : fc.constant({ kind: 'none' as const });
  return fc.record({
    path: pathArbitrary,
    query: queryArbitrary,
    credentials: fc.constantFrom<GeneratedRequest['credentials']>(
      'key',
      'key',
      'key',
      'admin',
      'none',
      'wrong',
    ),
    body: bodyArbitrary,
    contentType: fc.constantFrom('application/json', 'application/json', 'application/json', 'text/plain'),
  });
}

function urlOf(operation: Operation, request: GeneratedRequest): string {
  const path = operation.path.replaceAll(/\{([^}]+)\}/g, (_, name: string) =>
    encodeURIComponent(request.path[name] ?? 'x'),
  );
  const query = new URLSearchParams(request.query).toString();
  return `${h.origin}${path}${query ? `?${query}` : ''}`;
}

function headersOf(operation: Operation, request: GeneratedRequest): Record<string, string> {
  const headers: Record<string, string> = {};
  if (request.body.kind !== 'none') headers['content-type'] = request.contentType;
  const key = { key: OWNER, admin: ADMIN, wrong: 'sk-fuzz-wrong-key-00000', none: undefined }[
    request.credentials
  ];
  if (key) headers.authorization = `Bearer ${key}`;
  if (
    operation.path.startsWith('/console/api/') &&
    request.credentials !== 'none' &&
    request.credentials !== 'wrong'
  ) {
    headers.cookie = consoleCookie;
    // The console's state-changing routes ask for the header a cross-site form cannot send.
    headers['x-requested-with'] = 'console';
  }
  return headers;
}

/** The declared JSON schema for a status, compiled once; its refs point into the document's components. */
function validatorFor(operation: Operation, status: string): ValidateFunction | undefined {
  const id = `${operation.method} ${operation.path} ${status}`;
  const known = validators.get(id);
  if (known) return known;
  const schema = operation.responses[status]?.content?.['application/json']?.schema;
  if (!schema) return undefined;
  if (!ajv.getSchema(COMPONENTS_ID)) {
    ajv.addSchema({ $id: COMPONENTS_ID, components: document.components }, undefined, undefined, false);
  }
  const compiled = ajv.compile(
    JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', `"${COMPONENTS_ID}#/components/`)),
  );
  validators.set(id, compiled);
  return compiled;
}

async function send(operation: Operation, request: GeneratedRequest) {
  const body =
    request.body.kind === 'json'
      ? JSON.stringify(request.body.value)
      : request.body.kind === 'text'
        ? request.body.text
        : undefined;
  const controller = new AbortController();
  const deadline = setTimeout(
    () => controller.abort(new Error('no answer in time: a hang')),
    REQUEST_TIMEOUT_MS,
  );
  try {
    const response = await fetch(urlOf(operation, request), {
      method: operation.method,
      headers: headersOf(operation, request),
      ...(body !== undefined ? { body } : {}),
      redirect: 'manual',
      signal: controller.signal,
    });
    const type = response.headers.get('content-type') ?? '';
    // A stream may rightly go on (live figures, a task's events): a little of it is enough.
    if (type.startsWith('text/event-stream')) {
      setTimeout(() => controller.abort(), STREAM_SAMPLE_MS);
      const text = await response.text().catch(() => '');
      return { status: response.status, type, text };
    }
    return { status: response.status, type, text: await response.text() };
  } finally {
    clearTimeout(deadline);
  }
}

describe('requests generated from /openapi.json', () => {
  it('covers every operation the document declares', () => {
    expect(operations.length).toBeGreaterThan(50);
  });

  it('get declared statuses, no undeclared 5xx, and bodies in the declared shapes', {
    timeout: 600_000,
  }, async () => {
    const problems: string[] = [];
    /** Operations that answered 2xx at least once: the generator reaches past validation. */
    const succeeded = new Set<string>();
    for (const operation of operations) {
      // The WebSocket upgrade has its own tests (test/native); a plain GET of it is fuzzed like any route.
      const failure = await fc.check(
        fc.asyncProperty(requestArbitrary(operation), async (request) => {
          const answer = await send(operation, request);
          const where = `${operation.method} ${operation.path} -> ${answer.status}`;
          if (answer.status >= 200 && answer.status < 300)
            succeeded.add(`${operation.method} ${operation.path}`);
          const declared = Object.keys(operation.responses);
          const problem = (message: string) => {
            problems.push(
              `${where}: ${message}\n  request: ${JSON.stringify(request).slice(0, 400)}\n  answer: ${answer.text.slice(0, 300)}`,
            );
          };
          if (answer.status >= 500 && !UPSTREAM_STATUSES.has(answer.status)) problem('a server error');
          if (!declared.includes(String(answer.status)))
            problem(`undeclared status (declared: ${declared.join(',')})`);
          if (answer.type.startsWith('application/json')) {
            const validate = validatorFor(operation, String(answer.status));
            let body: unknown;
            try {
              body = JSON.parse(answer.text);
            } catch {
              problem('a JSON content type with a body that is not JSON');
            }
            if (validate && body !== undefined && !validate(body)) {
              problem(`body does not match the declared schema: ${ajv.errorsText(validate.errors)}`);
            }
          } else if (answer.status >= 400) {
            problem(`an error that is not JSON (${answer.type})`);
          }
        }),
        { seed: SEED, numRuns: RUNS_PER_OPERATION, endOnFailure: true },
      );
      if (failure.failed) {
        problems.push(
          `${operation.method} ${operation.path}: ${String(failure.errorInstance)} for ${JSON.stringify(failure.counterexample).slice(0, 400)}`,
        );
      }
    }
    expect(problems).toEqual([]);
    // Valid requests get through: answered, and some of them ran Claude Code against the mock.
    expect(succeeded.size).toBeGreaterThan(operations.length / 2);
    expect(h.mock.requests.length).toBeGreaterThan(0);
  });
});
