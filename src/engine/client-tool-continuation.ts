import type { ClaudeTurn, RunPlan } from '../contract/run-plan.js';

/**
 * Delivery of tool results (OpenAI `tool` messages), which answer the tool calls that ended the
 * previous request's Claude turn.
 *
 * Sent as a new prompt they would be lost: resuming a transcript that ends with unanswered calls,
 * Claude Code records those calls as interrupted and then drops the prompt's results as orphans.
 * So the results are written into the transcript as the end of that unfinished turn, no prompt is
 * sent, and Claude Code is told to carry the interrupted turn on (CLAUDE_CODE_RESUME_INTERRUPTED_TURN).
 * The model then gets them as real `tool_result` blocks for the right `tool_use_id`, followed by
 * Claude Code's own note for a resumed turn ("Continue from where you left off.").
 */
export function continuesToolTurn(plan: RunPlan): boolean {
  return !plan.session?.continues && plan.prompt.some((block) => block.type === 'tool_result');
}

/** The turns to write as the transcript: the history, plus the tool results when they continue a turn. */
export function transcriptTurnsOf(plan: RunPlan): ClaudeTurn[] {
  return continuesToolTurn(plan) ? [...plan.history, { role: 'user', content: plan.prompt }] : plan.history;
}
