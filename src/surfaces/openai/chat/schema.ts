// zod with `.openapi()`: a schema gets that method only if it is built after the extension loads.
import { z } from '@hono/zod-openapi';
import { FIELD_LIMITS as L } from '../../../contract/field-limits.js';
import { REASONING_FIELDS } from '../../../contract/key-policy.js';

/**
 * What the gateway reads from a Chat Completions request. Objects are loose on purpose: clients send
 * many fields we do not use (LlamaIndex, Open WebUI, LangChain all add their own), and unknown fields
 * must be ignored, not rejected.
 */

const textPart = z.looseObject({ type: z.literal('text'), text: z.string() });

const imageUrlPart = z.looseObject({
  type: z.literal('image_url'),
  image_url: z.union([z.string(), z.looseObject({ url: z.string(), detail: z.string().nullish() })]),
});

const inputAudioPart = z.looseObject({
  type: z.literal('input_audio'),
  input_audio: z.looseObject({ data: z.string(), format: z.string() }),
});

const filePart = z.looseObject({
  type: z.literal('file'),
  file: z.looseObject({
    file_data: z.string().nullish(),
    file_id: z.string().nullish(),
    filename: z.string().nullish(),
  }),
});

const refusalPart = z.looseObject({ type: z.literal('refusal'), refusal: z.string() });

export const contentPartSchema = z.discriminatedUnion('type', [
  textPart,
  imageUrlPart,
  inputAudioPart,
  filePart,
  refusalPart,
]);

const content = z.union([z.string(), z.array(contentPartSchema)]);

const toolCallSchema = z.looseObject({
  id: z.string().max(L.identifier),
  type: z.literal('function').optional(),
  function: z.looseObject({ name: z.string().max(L.identifier), arguments: z.string() }),
});

const systemMessage = z.looseObject({
  role: z.literal('system'),
  content,
  name: z.string().max(L.identifier).nullish(),
});
const developerMessage = z.looseObject({
  role: z.literal('developer'),
  content,
  name: z.string().max(L.identifier).nullish(),
});
const userMessage = z.looseObject({
  role: z.literal('user'),
  content,
  name: z.string().max(L.identifier).nullish(),
});
const assistantMessage = z.looseObject({
  role: z.literal('assistant'),
  content: content.nullish(),
  name: z.string().max(L.identifier).nullish(),
  tool_calls: z.array(toolCallSchema).nullish(),
  function_call: z.looseObject({ name: z.string(), arguments: z.string() }).nullish(),
  refusal: z.string().nullish(),
  reasoning_content: z.string().nullish(),
});
const toolMessage = z.looseObject({
  role: z.literal('tool'),
  content,
  tool_call_id: z.string().max(L.identifier),
});
const functionMessage = z.looseObject({
  role: z.literal('function'),
  content: z.string().nullable(),
  name: z.string().max(L.toolName),
});

export const chatMessageSchema = z.discriminatedUnion('role', [
  systemMessage,
  developerMessage,
  userMessage,
  assistantMessage,
  toolMessage,
  functionMessage,
]);

export const functionToolSchema = z.looseObject({
  type: z.literal('function'),
  function: z.looseObject({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, underscores or dashes'),
    description: z.string().nullish(),
    parameters: z.record(z.string(), z.unknown()).nullish(),
    strict: z.boolean().nullish(),
  }),
});

export const toolChoiceSchema = z.union([
  z.enum(['none', 'auto', 'required']),
  z.looseObject({
    type: z.literal('function'),
    function: z.looseObject({ name: z.string().max(L.toolName) }),
  }),
]);

export const responseFormatSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({
    type: z.literal('json_schema'),
    json_schema: z.looseObject({
      name: z.string().nullish(),
      description: z.string().nullish(),
      schema: z.record(z.string(), z.unknown()).nullish(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

/** The documented extension that opts a request into Claude Code's own agent (tools in a directory). */
export const claudeCodeExtensionSchema = z.looseObject({
  cwd: z.string().min(1).max(L.path).optional(),
  tools: z.array(z.string().min(1).max(L.toolName)).optional(),
  permission_mode: z.enum(['default', 'acceptEdits', 'plan', 'dontAsk', 'bypassPermissions']).optional(),
  max_turns: z.number().int().positive().max(100).optional(),
  max_budget_usd: z.number().positive().optional(),
});

const positiveInt = z.number().int().positive();

/** OpenAI's metadata: string values, at most 16 pairs, keys up to 64 characters, values up to 512. */
export const metadataSchema = z
  .record(z.string().max(L.metadataKey), z.string().max(L.metadataValue))
  .refine((pairs) => Object.keys(pairs).length <= L.metadataPairs, `at most ${L.metadataPairs} pairs`);

export const chatCompletionRequestSchema = z.looseObject({
  model: z.string().min(1).max(L.model),
  messages: z.array(chatMessageSchema).min(1),
  stream: z.boolean().nullish(),
  stream_options: z
    .looseObject({ include_usage: z.boolean().nullish(), include_obfuscation: z.boolean().nullish() })
    .nullish(),
  max_tokens: positiveInt.max(L.maxOutputTokens).nullish(),
  max_completion_tokens: positiveInt.max(L.maxOutputTokens).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  n: positiveInt.nullish(),
  stop: z.union([z.string().max(L.stopSequence), z.array(z.string().max(L.stopSequence)).max(4)]).nullish(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.number().int().min(0).max(20).nullish(),
  tools: z.array(functionToolSchema).nullish(),
  tool_choice: toolChoiceSchema.nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  functions: z.array(z.looseObject({ name: z.string().max(L.toolName) })).nullish(),
  response_format: responseFormatSchema.nullish(),
  reasoning_effort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']).nullish(),
  reasoning: z.looseObject({ effort: z.string().nullish() }).nullish(),
  // A string end-user id (capped: it scopes sessions); Open WebUI sends an object, which is ignored.
  user: z.union([z.string().max(L.identifier), z.looseObject({})]).nullish(),
  metadata: metadataSchema.nullish(),
  /** `true`: the completion is kept for GET /chat/completions (stored-routes.ts). */
  store: z.boolean().nullish(),
  claude_code: claudeCodeExtensionSchema.nullish(),
  /** The gateway's extension: which delta field(s) carry Claude's thinking (docs/openai-chat.md#reasoning). */
  reasoning_field: z.enum(REASONING_FIELDS).nullish().openapi({
    description: 'Where Claude’s thinking goes: `reasoning_content`, `reasoning` or `both` (default).',
  }),
});

export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;
export type ChatMessage = z.infer<typeof chatMessageSchema>;
export type ContentPart = z.infer<typeof contentPartSchema>;
export type FunctionTool = z.infer<typeof functionToolSchema>;
export type ToolChoice = z.infer<typeof toolChoiceSchema>;
