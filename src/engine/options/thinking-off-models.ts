/**
 * Models for which Claude Code really sends `thinking: {type: "disabled"}` when a run turns thinking
 * off. For every other model it reports "Thinking can't be turned off" and sends adaptive thinking
 * instead, and the API refuses a forced `tool_choice` next to thinking. Mirrors the list in Claude
 * Code 2.1.330 (checked at the mock: claude-sonnet-4-5 is sent thinking disabled, `sonnet`, which
 * resolves to a newer model, adaptive thinking); a model missing here only loses the API's own
 * enforcement, never a request.
 */
const THINKING_OFF_MODELS = new Set([
  'claude-haiku-4-5',
  'claude-sonnet-4-0',
  'claude-sonnet-4-5',
  'claude-sonnet-4-6',
  'claude-sonnet-5',
  'claude-opus-4-0',
  'claude-opus-4-1',
  'claude-opus-4-5',
  'claude-opus-4-6',
  'claude-opus-4-7',
  'claude-opus-4-8',
  'claude-opus-5',
]);

/** Whether a run of `model` with thinking disabled reaches the API without thinking. */
export function thinkingTurnsOff(model: string): boolean {
  const id = model.replace(/-\d{8}$/, '');
  return id.startsWith('claude-3-') || THINKING_OFF_MODELS.has(id);
}
