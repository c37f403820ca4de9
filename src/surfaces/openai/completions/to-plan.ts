import { unsupportedParameter } from '../../../contract/errors.js';
import { GatewayError } from '../../../contract/gateway-error.js';
import type { RunPlan } from '../../../contract/run-plan.js';
import type { ModelCatalog } from '../../../core/model-catalog.js';
import { applyOutputLimits, servedModel } from '../plan-parts.js';
import type { CompletionRequest } from './schema.js';

export interface ToPlanContext {
  models: ModelCatalog;
}

/**
 * A legacy completion as a run plan: the prompt is one user turn, with no system prompt (so Claude
 * Code adds none of its own either). Parameters that change the answer's shape are 400s naming them.
 */
export function toRunPlan(request: CompletionRequest, context: ToPlanContext): RunPlan {
  rejectUnsupported(request);
  const model = servedModel((name) => context.models.resolve(name), request.model);
  const prompt = typeof request.prompt === 'string' ? request.prompt : (request.prompt[0] ?? '');
  if (prompt.trim() === '') {
    throw new GatewayError({
      kind: 'invalid_request',
      status: 400,
      message: 'The prompt must not be empty.',
      param: 'prompt',
      code: 'invalid_prompt',
    });
  }
  const plan: RunPlan = {
    model,
    history: [],
    prompt: [{ type: 'text', text: prompt }],
    thinking: 'disabled',
    clientTools: [],
  };
  applyOutputLimits(plan, { maxTokens: request.max_tokens, stop: request.stop });
  return plan;
}

function rejectUnsupported(request: CompletionRequest): void {
  if (Array.isArray(request.prompt) && request.prompt.length !== 1) {
    throw unsupportedParameter(
      'prompt',
      'Send one prompt per request: a prompt array must have exactly one element.',
    );
  }
  if (request.echo)
    throw unsupportedParameter('echo', 'echo is not supported: Claude does not return the prompt.');
  if (request.suffix)
    throw unsupportedParameter('suffix', 'suffix (fill-in-the-middle) is not supported by Claude.');
  if (request.n != null && request.n > 1) {
    throw unsupportedParameter('n', 'Claude Code produces one choice per request; n must be 1.');
  }
  if (request.best_of != null && request.best_of > 1) {
    throw unsupportedParameter('best_of', 'Claude Code produces one choice per request; best_of must be 1.');
  }
  if (request.logprobs != null)
    throw unsupportedParameter('logprobs', 'Claude does not return log probabilities.');
}
