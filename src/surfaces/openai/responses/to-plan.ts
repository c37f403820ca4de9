/**
 * A Responses API request as the neutral run plan, with the Responses API's own 400s. Pure: the
 * stored items of a `previous_response_id` chain are looked up by the route and passed in.
 */

import { unsupportedParameter } from '../../../contract/errors.js';
import type {
  ClientToolDefinition,
  ClientToolPolicy,
  RunPlan,
  SystemPromptPlacement,
} from '../../../contract/run-plan.js';
import type { AttachmentLimits } from '../../../core/content/attachment-blocks.js';
import {
  ANY_JSON_OBJECT,
  NO_PARAMETERS,
  outputSchemaProblem,
  toolParametersProblem,
  withoutMetaSchema,
} from '../../../core/content/json-schema-checks.js';
import { placeSystemPrompt, startWithUserTurn, takePrompt } from '../../../core/plan-conversation.js';
import { applyEffort, applyOutputLimits, effortOf, servedModel } from '../plan-parts.js';
import { compactionPlan } from './compaction.js';
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
  /** The input ended with a `compaction_trigger`: the answer is the conversation's compaction item. */
  compaction: boolean;
}

export function toPlan(request: ResponsesRequest, context: ToPlanContext): ResponsesPlan {
  rejectUnsupported(request);
  const model = servedModel(context.resolveModel, request.model);
  const inputItems = toInputItems(request);
  if (inputItems.at(-1)?.type === 'compaction_trigger') {
    const conversation = [...(context.previousItems ?? []), ...inputItems.slice(0, -1)];
    return {
      plan: compactionPlan(conversation, model, context.systemPromptPlacement),
      inputItems,
      droppedTools: [],
      reasoningRequested: false,
      compaction: true,
    };
  }
  const placed: PlacedItem[] = [
    ...(context.previousItems ?? []).map((item) => ({ item, param: 'previous_response_id' })),
    ...inputItems.map((item, i) => ({
      item,
      param: typeof request.input === 'string' ? 'input' : `input[${i}]`,
    })),
  ];
  const { systemTexts, turns } = itemsToTurns(placed, context.attachments);
  const systemText =
    [request.instructions ?? '', ...systemTexts].filter((text) => text.trim()).join('\n\n') || undefined;
  const last = takePrompt(turns, systemText);
  if (last?.role !== 'user') {
    throw invalidInput('The input must end with a user message or a function_call_output.', 'input');
  }
  const history = turns;
  startWithUserTurn(history);

  const plan: RunPlan = { model, history, prompt: last.content, thinking: 'disabled', clientTools: [] };
  placeSystemPrompt(plan, systemText, context.systemPromptPlacement);

  const { clientTools, droppedTools } = toClientTools(request.tools ?? []);
  const policy = toToolPolicy(request, clientTools, droppedTools);
  plan.clientTools = policy.tools;
  if (policy.tools.length > 0) plan.clientToolPolicy = policy.policy;
  applyOutputLimits(plan, { maxTokens: request.max_output_tokens });
  const reasoningRequested = applyReasoning(request, plan);
  const outputSchema = toOutputSchema(request);
  if (outputSchema) plan.outputSchema = outputSchema;
  return { plan, inputItems, droppedTools, reasoningRequested, compaction: false };
}

function rejectUnsupported(request: ResponsesRequest): void {
  if (request.background && request.store === false) {
    throw invalidInput('A background response must be stored: leave out store or set it to true.', 'store');
  }
  if (request.conversation != null) {
    throw unsupportedParameter(
      'conversation',
      'Conversations objects are not supported; use previous_response_id.',
    );
  }
  if (request.prompt != null)
    throw unsupportedParameter('prompt', 'Stored prompt templates are not supported.');
  if (request.top_logprobs)
    throw unsupportedParameter('top_logprobs', 'Claude does not return log probabilities.');
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
  const effort = effortOf(request.reasoning?.effort, 'reasoning.effort');
  if (effort !== undefined) applyEffort(plan, effort);
  if (effort === 'none') return false;
  const summary = request.reasoning?.summary ?? request.reasoning?.generate_summary;
  // A summary alone asks for thinking at the model's own effort.
  if (summary != null) plan.thinking = 'default';
  return effort !== undefined || summary != null;
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
