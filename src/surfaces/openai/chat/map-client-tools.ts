import { Ajv } from 'ajv';
import { invalidRequest } from '../../../contract/errors.js';
import type { ClientToolDefinition, ClientToolPolicy } from '../../../contract/run-plan.js';
import type { ChatCompletionRequest, ChatMessage } from './schema.js';

/** A function without `parameters` takes no arguments (OpenAI's reading of an absent schema). */
const NO_PARAMETERS: Readonly<Record<string, unknown>> = { type: 'object', properties: {} };

/** `$schema` values clients send (zod and the AI SDK: draft-07; LangChain: 2020-12). */
const KNOWN_META_SCHEMAS = new Set([
  'http://json-schema.org/draft-07/schema#',
  'http://json-schema.org/draft-07/schema',
  'https://json-schema.org/draft/2019-09/schema',
  'https://json-schema.org/draft/2020-12/schema',
]);

/** The request's `tools` as Claude tool definitions; a broken one is a 400 naming it. */
export function toClientTools(request: ChatCompletionRequest): ClientToolDefinition[] {
  const tools = request.tools ?? [];
  // Creating an Ajv costs about a millisecond: a request without tools (most turns) needs none.
  if (tools.length === 0) return [];
  const seen = new Set<string>();
  // Only the schemas' shape is checked, leniently about extra keywords (as OpenAI is). One Ajv per
  // request: checking against the meta-schema compiles nothing of the client's, so it does not grow.
  const ajv = new Ajv({ strict: false, validateFormats: false });
  return tools.map((tool, i) => {
    const { name } = tool.function;
    if (seen.has(name)) {
      throw invalidRequest(
        `Tool names must be unique; '${name}' appears twice.`,
        `tools[${i}].function.name`,
      );
    }
    seen.add(name);
    const parameters = tool.function.parameters ?? NO_PARAMETERS;
    const problem = parametersProblem(ajv, parameters);
    if (problem) {
      throw invalidRequest(
        `Invalid schema for function '${name}': ${problem}`,
        `tools[${i}].function.parameters`,
        'invalid_function_parameters',
      );
    }
    // The `$schema` declaration is dropped: Claude reads tool schemas as JSON Schema anyway.
    const { $schema: _declared, ...schema } = parameters;
    return { name, description: tool.function.description ?? '', inputSchema: { type: 'object', ...schema } };
  });
}

function parametersProblem(ajv: Ajv, parameters: Record<string, unknown>): string | undefined {
  if (parameters.type !== undefined && parameters.type !== 'object') {
    return 'parameters must be a JSON Schema of type "object".';
  }
  const { $schema, ...schema } = parameters;
  if ($schema !== undefined && !(typeof $schema === 'string' && KNOWN_META_SCHEMAS.has($schema))) {
    return `unsupported $schema ${JSON.stringify($schema)}.`;
  }
  return ajv.validateSchema(schema) ? undefined : ajv.errorsText(ajv.errors, { dataVar: 'parameters' });
}

/**
 * `tool_choice` and `parallel_tool_calls` in Claude's terms. A choice that needs tools, or names one
 * that was not given, is a 400 naming `tool_choice` (as OpenAI answers).
 */
export function toClientToolPolicy(
  request: ChatCompletionRequest,
  tools: readonly ClientToolDefinition[],
): ClientToolPolicy {
  const requested = request.tool_choice ?? 'auto';
  const parallel = request.parallel_tool_calls !== false;
  if (typeof requested === 'string') {
    if (requested === 'required' && tools.length === 0) {
      throw invalidRequest("tool_choice 'required' needs at least one tool in `tools`.", 'tool_choice');
    }
    return { choice: requested, parallel };
  }
  const name = requested.function.name;
  if (!tools.some((tool) => tool.name === name)) {
    throw invalidRequest(
      `tool_choice names '${name}', which is not one of the request's tools.`,
      'tool_choice',
    );
  }
  return { choice: { name }, parallel };
}

/**
 * OpenAI's rule for tool history, which the Messages API shares: every `tool` message answers a
 * call of the assistant message before it, and every call is answered before the conversation goes
 * on. Checked here so a broken history is a 400 naming the message, not an error from Claude.
 */
export function checkToolCallPairing(messages: readonly ChatMessage[]): void {
  let open: { index: number; ids: Set<string> } | undefined;
  messages.forEach((message, i) => {
    if (message.role === 'tool') {
      if (!open?.ids.delete(message.tool_call_id)) {
        throw invalidRequest(
          `Message ${i} is a tool result for '${message.tool_call_id}', which is not a tool call of the assistant message before it.`,
          `messages[${i}].tool_call_id`,
        );
      }
      return;
    }
    if (message.role !== 'user' && message.role !== 'assistant') return;
    if (open && open.ids.size > 0) {
      throw invalidRequest(
        `The tool calls ${[...open.ids].map((id) => `'${id}'`).join(', ')} of message ${open.index} have no tool message answering them.`,
        `messages[${open.index}].tool_calls`,
      );
    }
    open =
      message.role === 'assistant' && message.tool_calls?.length
        ? { index: i, ids: new Set(message.tool_calls.map((call) => call.id)) }
        : undefined;
  });
}
