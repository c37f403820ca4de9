/**
 * A Responses API request as the neutral run plan, with the Responses API's own 400s. Pure: the
 * stored items of a `previous_response_id` chain are looked up by the route and passed in.
 */

import { GatewayError } from '../../contract/gateway-error.js';
import type {
  ClientToolDefinition,
  ClientToolPolicy,
  EffortLevel,
  RunPlan,
  SystemPromptPlacement,
} from '../../contract/run-plan.js';
import type { AttachmentLimits } from '../../core/content/attachment-blocks.js';
import {
  ANY_JSON_OBJECT,
  NO_PARAMETERS,
  outputSchemaProblem,
  toolParametersProblem,
  withoutMetaSchema,
} from '../../core/content/json-schema-checks.js';
import { invalidInput, itemsToTurns, type PlacedItem } from './items-to-turns.js';
import type { InputItem, ResponsesRequest, Tool } from './schema.js';

export interface ToPlanContext {
  /** The Claude model for a requested model name, or undefined for an unknown one. */
  resolveModel(model: string): string | undefined;
  systemPromptPlacement: SystemPromptPlacement;
  attachments: AttachmentLimits;
  /** The conversation so far from `previous_response_id`: every stored input and output, oldest first. */
  previousItems?: readonly InputItem[];
}

export interface ResponsesPlan {
  plan: RunPlan;
  /** This request's own input as items (a string input becomes one user message): what is stored. */
  inputItems: InputItem[];
  /** Hosted tools left out of what Claude sees, as `type` or `type:name`. */
  droppedTools: string[];
  /** The client asked for reasoning: the answer carries a reasoning item before its message. */
  reasoningRequested: boolean;
}

const unsupported = (param: string, message: string) => invalidInput(message, param, 'unsupported_parameter');

export function toPlan(request: ResponsesRequest, context: ToPlanContext): ResponsesPlan {
  rejectUnsupported(request);
  const model = context.resolveModel(request.model);
  if (model === undefined) {
    throw new GatewayError({
      kind: 'not_found',
      status: 404,
      message: `The model '${request.model}' does not exist or you do not have access to it.`,
      param: 'model',
      code: 'model_not_found',
    });
  }
  const inputItems = toInputItems(request);
  const placed: PlacedItem[] = [
    ...(context.previousItems ?? []).map((item) => ({ item, param: 'previous_response_id' })),
    ...inputItems.map((item, i) => ({
      item,
      param: typeof request.input === 'string' ? 'input' : `input[${i}]`,
    })),
  ];
  const { systemTexts, turns } = itemsToTurns(placed, context.attachments);
  const last = turns.pop();
  if (last?.role !== 'user') {
    throw invalidInput('The input must end with a user message or a function_call_output.', 'input');
  }
  const history = turns;
  if (history[0]?.role === 'assistant') {
    history.unshift({ role: 'user', content: [{ type: 'text', text: '(the conversation starts here)' }] });
  }

  const plan: RunPlan = { model, history, prompt: last.content, thinking: 'disabled', clientTools: [] };
  const systemText = [request.instructions ?? '', ...systemTexts].filter((text) => text.trim()).join('\n\n');
  if (context.systemPromptPlacement === 'first-user-turn') {
    // Claude Code's own system prompt stays exactly as Claude Code sends it (appending nothing).
    plan.systemPrompt = { text: '', placement: 'append' };
    if (systemText) {
      const firstUser = history[0] ?? last;
      firstUser.content.unshift({ type: 'text', text: `<instructions>\n${systemText}\n</instructions>` });
    }
  } else if (systemText) {
    plan.systemPrompt = { text: systemText, placement: context.systemPromptPlacement };
  }

  const { clientTools, droppedTools } = toClientTools(request.tools ?? []);
  const policy = toToolPolicy(request, clientTools, droppedTools);
  plan.clientTools = policy.tools;
  if (policy.tools.length > 0) plan.clientToolPolicy = policy.policy;
  if (request.max_output_tokens != null) plan.maxOutputTokens = request.max_output_tokens;
  const reasoningRequested = applyReasoning(request, plan);
  const outputSchema = toOutputSchema(request);
  if (outputSchema) plan.outputSchema = outputSchema;
  return { plan, inputItems, droppedTools, reasoningRequested };
}

function rejectUnsupported(request: ResponsesRequest): void {
  if (request.background) {
    throw unsupported('background', 'Background responses are not supported; stream or wait for the answer.');
  }
  if (request.conversation != null) {
    throw unsupported('conversation', 'Conversations objects are not supported; use previous_response_id.');
  }
  if (request.prompt != null) throw unsupported('prompt', 'Stored prompt templates are not supported.');
  if (request.top_logprobs) throw unsupported('top_logprobs', 'Claude does not return log probabilities.');
  if (request.input == null && !request.previous_response_id) {
    throw invalidInput("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
  }
}

function toInputItems(request: ResponsesRequest): InputItem[] {
  if (request.input == null) return [];
  if (typeof request.input === 'string') return [{ type: 'message', role: 'user', content: request.input }];
  return request.input;
}

function toClientTools(tools: readonly Tool[]): {
  clientTools: ClientToolDefinition[];
  droppedTools: string[];
} {
  const clientTools: ClientToolDefinition[] = [];
  const droppedTools: string[] = [];
  tools.forEach((tool, i) => {
    if (tool.type === 'hosted') {
      // Hosted tools (web_search, file_search, mcp, Codex's namespace and custom tools...) run on
      // OpenAI's side; Claude Code here cannot serve them, and real clients always send some.
      droppedTools.push(tool.name ? `${tool.hostedType}:${tool.name}` : tool.hostedType);
      return;
    }
    const { name } = tool;
    if (clientTools.some((known) => known.name === name)) {
      throw invalidInput(`Tool names must be unique; '${name}' appears twice.`, `tools[${i}].name`);
    }
    const parameters = tool.parameters ?? NO_PARAMETERS;
    const problem = toolParametersProblem(parameters);
    if (problem) {
      throw invalidInput(
        `Invalid schema for function '${name}': ${problem}`,
        `tools[${i}].parameters`,
        'invalid_function_parameters',
      );
    }
    // The `$schema` declaration is dropped: Claude reads tool schemas as JSON Schema anyway.
    const { $schema: _declared, ...schema } = parameters;
    clientTools.push({
      name,
      description: tool.description ?? '',
      inputSchema: { type: 'object', ...schema },
    });
  });
  return { clientTools, droppedTools };
}

/** `tool_choice` and `parallel_tool_calls`; forcing a tool Claude does not see is a 400. */
function toToolPolicy(
  request: ResponsesRequest,
  tools: ClientToolDefinition[],
  dropped: readonly string[],
): { tools: ClientToolDefinition[]; policy: ClientToolPolicy } {
  const parallel = request.parallel_tool_calls !== false;
  const choice = request.tool_choice ?? 'auto';
  const requireSome = (available: readonly ClientToolDefinition[]) => {
    if (available.length > 0) return;
    throw invalidInput(
      dropped.length > 0
        ? `tool_choice requires a tool call, but the only tools are hosted tools this gateway does not serve (${dropped.join(', ')}).`
        : "tool_choice 'required' needs at least one function tool in `tools`.",
      'tool_choice',
      'unsupported_tool_choice',
    );
  };
  if (typeof choice === 'string') {
    if (choice === 'required') requireSome(tools);
    return { tools, policy: { choice, parallel } };
  }
  if (choice.type === 'function') {
    const name = choice.name ?? '';
    if (!tools.some((tool) => tool.name === name)) {
      throw invalidInput(
        `tool_choice names '${name}', which is not one of the request's function tools.`,
        'tool_choice',
      );
    }
    return { tools, policy: { choice: { name }, parallel } };
  }
  if (choice.type === 'allowed_tools') {
    const allowed = new Set(
      (choice.tools ?? []).flatMap((tool) => (tool.type === 'function' && tool.name ? [tool.name] : [])),
    );
    const kept = tools.filter((tool) => allowed.has(tool.name));
    const mode = choice.mode ?? 'auto';
    if (mode === 'required') requireSome(kept);
    return { tools: kept, policy: { choice: mode, parallel } };
  }
  throw invalidInput(
    `tool_choice forces the hosted tool '${choice.type}', which this gateway does not serve; only function tools reach Claude.`,
    'tool_choice',
    'unsupported_tool_choice',
  );
}

/** `reasoning.effort` and `reasoning.summary` onto the plan; true when reasoning was asked for. */
function applyReasoning(request: ResponsesRequest, plan: RunPlan): boolean {
  const effort = toEffort(request.reasoning?.effort);
  if (effort === 'none') {
    // Newer models think adaptively whatever `thinking` says; the lowest effort is the closest to none.
    plan.effort = 'low';
    return false;
  }
  const summary = request.reasoning?.summary ?? request.reasoning?.generate_summary;
  if (effort === undefined && summary == null) return false;
  plan.thinking = 'default';
  if (effort !== undefined) plan.effort = effort;
  return true;
}

function toEffort(requested: string | null | undefined): EffortLevel | 'none' | undefined {
  switch (requested) {
    case undefined:
    case null:
      return undefined;
    case 'none':
      return 'none';
    case 'minimal':
    case 'low':
      return 'low';
    case 'medium':
    case 'high':
    case 'xhigh':
    case 'max':
      return requested;
    default:
      throw invalidInput(
        `Unknown reasoning effort '${requested}'; use none, minimal, low, medium, high, xhigh or max.`,
        'reasoning.effort',
      );
  }
}

function toOutputSchema(request: ResponsesRequest): Record<string, unknown> | undefined {
  const format = request.text?.format;
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { ...ANY_JSON_OBJECT };
  const stripped = withoutMetaSchema(format.schema);
  const problem = 'problem' in stripped ? stripped.problem : outputSchemaProblem(stripped.schema);
  if (problem || !('schema' in stripped)) {
    throw invalidInput(
      `Invalid schema for text.format: ${problem}`,
      'text.format.schema',
      'invalid_json_schema',
    );
  }
  return stripped.schema;
}
