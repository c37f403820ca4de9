import type { ClientToolDefinition, ClientToolPolicy } from '../../contract/run-plan.js';
import { invalidRequest } from './errors.js';
import type { AnthropicTool, MessagesRequest } from './schema.js';

/** The request's `tools` as client tool definitions; a tool Claude Code cannot offer is a 400 naming it. */
export function toClientTools(tools: readonly AnthropicTool[]): ClientToolDefinition[] {
  const seen = new Set<string>();
  return tools.map((tool, i) => {
    if (tool.type != null && tool.type !== 'custom') {
      throw invalidRequest(
        `Tool type '${tool.type}' (an Anthropic-defined or server tool) is not available through the gateway; define client tools with an input_schema.`,
        `tools[${i}].type`,
      );
    }
    if (seen.has(tool.name))
      throw invalidRequest(`Tool names must be unique; '${tool.name}' appears twice.`, `tools[${i}].name`);
    seen.add(tool.name);
    const schema = tool.input_schema;
    if (schema?.type !== 'object') {
      throw invalidRequest(
        `tools.${i}.input_schema.type: Field required to be 'object'.`,
        `tools[${i}].input_schema`,
      );
    }
    // `$schema` is dropped: Claude reads tool schemas as JSON Schema anyway.
    const { $schema: _declared, ...inputSchema } = schema;
    return { name: tool.name, description: tool.description ?? '', inputSchema };
  });
}

export function toClientToolPolicy(
  choice: MessagesRequest['tool_choice'],
  tools: readonly ClientToolDefinition[],
): ClientToolPolicy | undefined {
  if (choice == null) return tools.length > 0 ? { choice: 'auto', parallel: true } : undefined;
  if (choice.type === 'none') return { choice: 'none', parallel: true };
  const parallel = choice.disable_parallel_tool_use !== true;
  if (choice.type === 'auto') return { choice: 'auto', parallel };
  if (tools.length === 0)
    throw invalidRequest(`tool_choice '${choice.type}' needs at least one tool in tools.`, 'tool_choice');
  if (choice.type === 'any') return { choice: 'required', parallel };
  if (!tools.some((tool) => tool.name === choice.name)) {
    throw invalidRequest(
      `tool_choice names '${choice.name}', which is not one of the request's tools.`,
      'tool_choice.name',
    );
  }
  return { choice: { name: choice.name }, parallel };
}
