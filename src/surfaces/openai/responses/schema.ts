/**
 * What the gateway reads from a Responses API request (`POST /v1/responses`). Objects are loose:
 * clients send many fields the gateway has no use for (Codex adds `prompt_cache_key` and
 * `client_metadata`, the Agents SDK its own), and unknown fields are ignored, not rejected.
 */
// zod with `.openapi()`: a schema gets that method only if it is built after the extension loads.
import { z } from '@hono/zod-openapi';
import { GatewayError } from '../../../contract/gateway-error.js';

const inputText = z.looseObject({ type: z.literal('input_text'), text: z.string() });
const outputText = z.looseObject({ type: z.literal('output_text'), text: z.string() });
const refusal = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });
const inputImage = z.looseObject({
  type: z.literal('input_image'),
  image_url: z.string().nullish(),
  file_id: z.string().nullish(),
  detail: z.string().nullish(),
});
const inputFile = z.looseObject({
  type: z.literal('input_file'),
  file_data: z.string().nullish(),
  file_id: z.string().nullish(),
  file_url: z.string().nullish(),
  filename: z.string().nullish(),
});
const inputAudio = z.looseObject({ type: z.literal('input_audio') });

export const contentPartSchema = z.discriminatedUnion('type', [
  inputText,
  outputText,
  refusal,
  inputImage,
  inputFile,
  inputAudio,
]);
export type ContentPart = z.infer<typeof contentPartSchema>;

const messageItem = z.looseObject({
  type: z.literal('message'),
  id: z.string().nullish(),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), z.array(contentPartSchema)]),
  status: z.string().nullish(),
});

const functionCallItem = z.looseObject({
  type: z.literal('function_call'),
  id: z.string().nullish(),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
  status: z.string().nullish(),
});

const functionCallOutputItem = z.looseObject({
  type: z.literal('function_call_output'),
  id: z.string().nullish(),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(contentPartSchema)]),
  status: z.string().nullish(),
});

/** Earlier reasoning, sent back by Codex and the Agents SDK: accepted and ignored. */
const reasoningItem = z.looseObject({ type: z.literal('reasoning') });

/** An earlier output item by id (the AI SDK sends these for stored responses); resolved from the store. */
const itemReference = z.looseObject({ type: z.literal('item_reference'), id: z.string().min(1) });

/** The conversation so far, compacted by this gateway (POST /responses/compact, or a trigger below). */
const compactionItem = z.looseObject({
  type: z.literal('compaction'),
  id: z.string().nullish(),
  encrypted_content: z.string().min(1),
});

/** Codex's request to compact everything before it into one compaction output item. */
const compactionTrigger = z.looseObject({ type: z.literal('compaction_trigger') });

const KNOWN_ITEM_TYPES = new Set([
  'message',
  'function_call',
  'function_call_output',
  'reasoning',
  'item_reference',
  'compaction',
  'compaction_trigger',
]);

/**
 * Any other item type (hosted tool calls, item references...): to-plan rejects it by name, since
 * dropping it would change what the conversation means.
 */
const otherItem = z
  .looseObject({
    type: z.string().refine((type) => !KNOWN_ITEM_TYPES.has(type), 'is not valid for this item type'),
  })
  .transform((item) => ({ type: 'unsupported' as const, itemType: item.type }));

/** An item of `input`. A message may leave out `type` ("easy input message"). */
export const inputItemSchema = z.preprocess(
  (item) =>
    item !== null && typeof item === 'object' && !('type' in item) && 'role' in item
      ? { ...item, type: 'message' }
      : item,
  z.union([
    z.discriminatedUnion('type', [
      messageItem,
      functionCallItem,
      functionCallOutputItem,
      reasoningItem,
      itemReference,
      compactionItem,
      compactionTrigger,
    ]),
    otherItem,
  ]),
);
export type InputItem = z.infer<typeof inputItemSchema>;
export type MessageItem = z.infer<typeof messageItem>;

/** `tools`: function tools are served; any other type is a hosted tool the gateway leaves out. */
export const toolSchema = z.union([
  z.looseObject({
    type: z.literal('function'),
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, underscores or dashes'),
    description: z.string().nullish(),
    parameters: z.record(z.string(), z.unknown()).nullish(),
    strict: z.boolean().nullish(),
  }),
  z
    .looseObject({
      type: z.string().refine((type) => type !== 'function', 'a function tool needs a valid name'),
      name: z.string().nullish(),
      server_label: z.string().nullish(),
    })
    .transform((tool) => ({
      type: 'hosted' as const,
      hostedType: tool.type,
      name: tool.name ?? tool.server_label ?? null,
    })),
]);
export type Tool = z.infer<typeof toolSchema>;
export type FunctionTool = Extract<Tool, { type: 'function' }>;

export const toolChoiceSchema = z.union([
  z.enum(['none', 'auto', 'required']),
  z.looseObject({
    type: z.string(),
    name: z.string().nullish(),
    mode: z.enum(['auto', 'required']).nullish(),
    tools: z.array(z.looseObject({ type: z.string(), name: z.string().nullish() })).nullish(),
    server_label: z.string().nullish(),
  }),
]);
export type ToolChoice = z.infer<typeof toolChoiceSchema>;

export const textFormatSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    name: z.string().nullish(),
    description: z.string().nullish(),
    schema: z.record(z.string(), z.unknown()),
    strict: z.boolean().nullish(),
  }),
]);

export const responsesRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(inputItemSchema)]).nullish(),
  instructions: z.string().nullish(),
  previous_response_id: z.string().min(1).nullish(),
  tools: z.array(toolSchema).nullish(),
  tool_choice: toolChoiceSchema.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  text: z.looseObject({ format: textFormatSchema.nullish(), verbosity: z.string().nullish() }).nullish(),
  reasoning: z
    .looseObject({
      effort: z.string().nullish(),
      summary: z.string().nullish(),
      generate_summary: z.string().nullish(),
    })
    .nullish(),
  max_output_tokens: z.number().int().positive().nullish(),
  stream: z.boolean().nullish(),
  // Accepted and echoed or ignored: they change nothing Claude Code can honour.
  store: z.boolean().nullish(),
  metadata: z.record(z.string(), z.string()).nullish(),
  user: z.string().nullish(),
  truncation: z.string().nullish(),
  include: z.array(z.string()).nullish(),
  service_tier: z.string().nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  safety_identifier: z.string().nullish(),
  prompt_cache_key: z.string().nullish(),
  max_tool_calls: z.number().int().positive().nullish(),
  // Rejected when set, by to-plan: they ask for something the gateway cannot do.
  background: z.boolean().nullish(),
  conversation: z.unknown().optional(),
  prompt: z.unknown().optional(),
  top_logprobs: z.number().int().nullish(),
});
export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;

/** `input[2].content` style, as OpenAI names a `param`. */
function paramPath(path: readonly PropertyKey[]): string {
  return path
    .map((segment, i) =>
      typeof segment === 'number' ? `[${segment}]` : `${i === 0 ? '' : '.'}${String(segment)}`,
    )
    .join('');
}

/**
 * For a value that matched no branch of a union (`input` is a string or items; an item is one of
 * several types), the issue of the branch that got furthest names the field a client must fix.
 */
function deepestIssue(issue: z.core.$ZodIssue): z.core.$ZodIssue {
  if (issue.code !== 'invalid_union' || issue.errors.length === 0) return issue;
  let best: z.core.$ZodIssue = issue;
  for (const branch of issue.errors) {
    for (const inner of branch) {
      const candidate = deepestIssue({ ...inner, path: [...issue.path, ...inner.path] } as z.core.$ZodIssue);
      if (candidate.path.length > best.path.length) best = candidate;
    }
  }
  return best;
}

/** Validates a parsed JSON body; a failure is a 400 naming the first offending field. */
export function parseResponsesRequest(body: unknown): ResponsesRequest {
  return parseBody(responsesRequestSchema, body);
}

/** `body` by `schema`, or a 400 naming the deepest field at fault, in the Responses API's terms. */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const first = result.error.issues[0];
  const issue = first && deepestIssue(first);
  const param = issue ? paramPath(issue.path) : '';
  throw new GatewayError({
    kind: 'invalid_request',
    status: 400,
    message: issue ? `Invalid value for '${param || 'body'}': ${issue.message}` : 'Invalid request body.',
    param: param || null,
    code: 'invalid_value',
  });
}
