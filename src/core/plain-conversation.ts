import type { RunPlan, SystemPromptPlacement } from '../contract/run-plan.js';

/**
 * A new plain conversation on `model` with nothing but a one-character user turn: what spares are
 * started for by default. Where the client's system text would go decides the system prompt even
 * when there is none: under `first-user-turn` Claude Code keeps its own prompt, otherwise the
 * prompt is empty.
 */
export function plainConversationPlan(model: string, placement: SystemPromptPlacement): RunPlan {
  return {
    model,
    history: [],
    prompt: [{ type: 'text', text: '.' }],
    thinking: 'disabled',
    clientTools: [],
    ...(placement === 'first-user-turn' ? { systemPrompt: { text: '', placement: 'append' as const } } : {}),
  };
}
