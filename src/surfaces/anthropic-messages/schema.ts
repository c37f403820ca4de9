// zod with `.openapi()`: a schema gets that method only if it is built after the extension loads.
import { z } from '@hono/zod-openapi';

/**
 * What the gateway reads from an Anthropic Messages request. Objects are loose: clients (Claude Code
 * above all) send fields the gateway does not use (`cache_control`, `citations`, `context_management`,
 * `betas`...), and those are ignored. Block types are a closed list: an unknown one would change the
 * meaning of the conversation, so it is a 400 naming the block rather than silently dropped.
 */

const cacheControl = z.looseObject({ type: z.string() }).nullish();

const textBlock = z.looseObject({ type: z.literal('text'), text: z.string(), cache_control: cacheControl });

const imageSource = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('base64'), media_type: z.string(), data: z.string() }),
  z.looseObject({ type: z.literal('url'), url: z.string() }),
  z.looseObject({ type: z.literal('file'), file_id: z.string() }),
]);

const imageBlock = z.looseObject({
  type: z.literal('image'),
  source: imageSource,
  cache_control: cacheControl,
});

const documentSource = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('base64'), media_type: z.string(), data: z.string() }),
  z.looseObject({ type: z.literal('text'), media_type: z.string().optional(), data: z.string() }),
  z.looseObject({ type: z.literal('url'), url: z.string() }),
  z.looseObject({ type: z.literal('file'), file_id: z.string() }),
  z.looseObject({
    type: z.literal('content'),
    content: z.union([z.string(), z.array(z.looseObject({ type: z.string(), text: z.string().optional() }))]),
  }),
]);

const documentBlock = z.looseObject({
  type: z.literal('document'),
  source: documentSource,
  title: z.string().nullish(),
  context: z.string().nullish(),
  cache_control: cacheControl,
});

const toolUseBlock = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string(),
  name: z.string(),
  input: z.record(z.string(), z.unknown()),
  cache_control: cacheControl,
});

const toolResultContent = z.union([
  z.string(),
  z.array(z.discriminatedUnion('type', [textBlock, imageBlock])),
]);

const toolResultBlock = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string(),
  content: toolResultContent.optional(),
  is_error: z.boolean().nullish(),
  cache_control: cacheControl,
});

/** Earlier thinking, sent back by clients as Anthropic requires; the CLI replays its own, so dropped. */
const thinkingBlock = z.looseObject({
  type: z.literal('thinking'),
  thinking: z.string(),
  signature: z.string(),
});
const redactedThinkingBlock = z.looseObject({ type: z.literal('redacted_thinking'), data: z.string() });

export const contentBlockSchema = z.discriminatedUnion('type', [
  textBlock,
  imageBlock,
  documentBlock,
  toolUseBlock,
  toolResultBlock,
  thinkingBlock,
  redactedThinkingBlock,
]);
export type ContentBlock = z.infer<typeof contentBlockSchema>;

export const messageSchema = z.looseObject({
  /** Newer clients (Claude Code) send their environment block as a trailing `system` message. */
  role: z.enum(['user', 'assistant', 'system']),
  content: z.union([z.string(), z.array(contentBlockSchema)]),
});
export type AnthropicMessage = z.infer<typeof messageSchema>;

const toolSchema = z.looseObject({
  /** Absent or `custom` for client tools; Anthropic-defined and server tools carry a versioned type. */
  type: z.string().nullish(),
  name: z.string().min(1),
  description: z.string().nullish(),
  input_schema: z.record(z.string(), z.unknown()).nullish(),
  cache_control: cacheControl,
});
export type AnthropicTool = z.infer<typeof toolSchema>;

const toolChoiceSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().nullish() }),
  z.looseObject({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().nullish() }),
  z.looseObject({
    type: z.literal('tool'),
    name: z.string(),
    disable_parallel_tool_use: z.boolean().nullish(),
  }),
  z.looseObject({ type: z.literal('none') }),
]);

const thinkingSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('enabled'), budget_tokens: z.number().int().positive() }),
  z.looseObject({ type: z.literal('adaptive') }),
  z.looseObject({ type: z.literal('disabled') }),
]);

const jsonSchemaFormat = z.looseObject({
  type: z.literal('json_schema'),
  schema: z.record(z.string(), z.unknown()),
});

/** Fields shared by `/v1/messages` and `/v1/messages/count_tokens`. */
const conversationFields = {
  model: z.string().min(1),
  messages: z.array(messageSchema).min(1),
  system: z.union([z.string(), z.array(textBlock)]).nullish(),
  tools: z.array(toolSchema).nullish(),
  tool_choice: toolChoiceSchema.nullish(),
  thinking: thinkingSchema.nullish(),
};

export const messagesRequestSchema = z.looseObject({
  ...conversationFields,
  max_tokens: z.number().int().positive(),
  stream: z.boolean().nullish(),
  stop_sequences: z.array(z.string()).nullish(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).nullish(),
  // Accepted and not applied: Claude Code does not expose sampling settings.
  temperature: z.number().min(0).max(1).nullish(),
  top_p: z.number().nullish(),
  top_k: z.number().nullish(),
  service_tier: z.string().nullish(),
  /** Effort (and, in the structured-outputs API, the output format). */
  output_config: z
    .looseObject({ effort: z.string().nullish(), format: jsonSchemaFormat.nullish() })
    .nullish(),
  /** The structured-outputs beta's place for the format. */
  output_format: jsonSchemaFormat.nullish(),
});
export type MessagesRequest = z.infer<typeof messagesRequestSchema>;

export const countTokensRequestSchema = z.looseObject(conversationFields);
export type CountTokensRequest = z.infer<typeof countTokensRequestSchema>;
