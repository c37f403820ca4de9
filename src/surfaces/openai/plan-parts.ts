/**
 * What the OpenAI family (chat, Responses, legacy completions) says the same way, turned into plan
 * settings once: the served model, the reasoning effort, the answer's token cap and stop sequences.
 */
import { invalidRequest, modelNotFound } from '../../contract/errors.js';
import type { EffortLevel, RunPlan } from '../../contract/run-plan.js';
import { stopSequencesOf } from '../../core/stop-sequences.js';

/** The Claude model for a requested name, or OpenAI's 404 `model_not_found` naming `model`. */
export function servedModel(resolve: (name: string) => string | undefined, requested: string): string {
  const model = resolve(requested);
  if (model === undefined) throw modelNotFound(requested);
  return model;
}

/**
 * OpenAI's reasoning effort (`reasoning_effort`, `reasoning.effort`) as Claude Code's; `minimal` is
 * Claude's `low`, `none` is returned as such for the caller to apply. `param` names the field in a 400.
 */
export function effortOf(
  requested: string | null | undefined,
  param: string,
): EffortLevel | 'none' | undefined {
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
      throw invalidRequest(
        `Unknown reasoning effort '${requested}'; use none, minimal, low, medium, high, xhigh or max.`,
        param,
      );
  }
}

/** An effort onto the plan: a level turns thinking on at it; `none` asks for as little as there is. */
export function applyEffort(plan: RunPlan, effort: EffortLevel | 'none'): void {
  if (effort === 'none') {
    // Newer models think adaptively whatever `thinking` says; the lowest effort is the closest to none.
    plan.thinking = 'disabled';
    plan.effort = 'low';
    return;
  }
  plan.thinking = 'default';
  plan.effort = effort;
}

/** The answer's token cap and the `stop` sequences the gateway applies (core/stop-sequences.ts). */
export function applyOutputLimits(
  plan: RunPlan,
  limits: { maxTokens: number | null | undefined; stop?: string | readonly string[] | null | undefined },
): void {
  if (limits.maxTokens != null) plan.maxOutputTokens = limits.maxTokens;
  const stopSequences = stopSequencesOf(limits.stop);
  if (stopSequences.length > 0) plan.stopSequences = stopSequences;
}
