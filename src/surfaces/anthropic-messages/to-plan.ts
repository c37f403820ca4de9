import type { EffortLevel, RunPlan, SystemPromptPlacement } from '../../contract/run-plan.js';
import type { AttachmentLimits } from '../../core/content/attachment-blocks.js';
import { outputSchemaProblem, withoutMetaSchema } from '../../core/content/json-schema-checks.js';
import type { ModelCatalog } from '../../core/model-catalog.js';
import { placeSystemPrompt, startWithUserTurn } from '../../core/plan-conversation.js';
import { invalidRequest, modelNotFound } from './errors.js';
import type { MessagesRequest } from './schema.js';
import { clientSystemText } from './system-prompt.js';
import { toClientToolPolicy, toClientTools } from './to-tools.js';
import { checkToolPairing, toTurns } from './to-turns.js';

export interface ToPlanContext {
  models: ModelCatalog;
  systemPromptPlacement: SystemPromptPlacement;
  attachments: AttachmentLimits;
}

/** Turns a validated Messages request into a neutral run plan, or throws a 4xx naming the field. */
export function toRunPlan(request: MessagesRequest, context: ToPlanContext): RunPlan {
  const model = context.models.resolve(request.model);
  if (model === undefined) throw modelNotFound(request.model);

  checkToolPairing(request.messages);
  const turns = toTurns(request.messages, context.attachments);
  const last = turns.pop();
  if (last?.role !== 'user') {
    const lastIndex = request.messages.findLastIndex((message) => message.role !== 'system');
    throw invalidRequest(
      'The last message must be a user message: prefilling the assistant turn is not supported by the gateway.',
      `messages[${Math.max(lastIndex, 0)}]`,
    );
  }
  const history = turns;
  startWithUserTurn(history);

  const clientTools = toClientTools(request.tools ?? []);
  const plan: RunPlan = {
    model,
    history,
    prompt: last.content,
    maxOutputTokens: request.max_tokens,
    thinking: 'disabled',
    clientTools,
  };

  placeSystemPrompt(plan, clientSystemText(request), context.systemPromptPlacement);

  const policy = toClientToolPolicy(request.tool_choice, clientTools);
  if (policy) plan.clientToolPolicy = policy;
  applyThinking(plan, request);
  const outputSchema = toOutputSchema(request);
  if (outputSchema) plan.outputSchema = outputSchema;
  if (request.stop_sequences?.length) plan.stopSequences = request.stop_sequences;
  return plan;
}

const EFFORTS: readonly EffortLevel[] = ['low', 'medium', 'high', 'xhigh', 'max'];

/**
 * `thinking` turns thinking on or off; Claude Code takes an effort rather than a token budget, so a
 * budget picks the effort whose thinking is about that long. `output_config.effort` names it directly.
 */
function applyThinking(plan: RunPlan, request: MessagesRequest): void {
  const thinking = request.thinking;
  if (thinking?.type === 'enabled') {
    plan.thinking = 'default';
    plan.effort = thinking.budget_tokens < 4096 ? 'low' : thinking.budget_tokens < 16384 ? 'medium' : 'high';
  } else if (thinking?.type === 'adaptive') {
    plan.thinking = 'default';
  }
  const effort = request.output_config?.effort;
  if (effort != null) {
    if (!EFFORTS.includes(effort as EffortLevel)) {
      throw invalidRequest(`Unknown effort '${effort}'; use ${EFFORTS.join(', ')}.`, 'output_config.effort');
    }
    plan.effort = effort as EffortLevel;
  }
}

/**
 * The structured-output schema, checked before any run: one Claude Code cannot serve (a top-level type
 * other than `object`, a schema that does not compile) would otherwise cost a run and end in a 502,
 * which the Anthropic SDK retries.
 */
function toOutputSchema(request: MessagesRequest): Record<string, unknown> | undefined {
  const [schema, param] = request.output_config?.format
    ? [request.output_config.format.schema, 'output_config.format.schema']
    : [request.output_format?.schema, 'output_format.schema'];
  if (!schema) return undefined;
  const stripped = withoutMetaSchema(schema);
  const problem = 'problem' in stripped ? stripped.problem : outputSchemaProblem(stripped.schema);
  if (problem || !('schema' in stripped)) {
    throw invalidRequest(`${param}: invalid JSON schema: ${problem}`, param, 'invalid_json_schema');
  }
  return stripped.schema;
}
