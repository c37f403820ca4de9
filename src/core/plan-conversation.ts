import type { ClaudeContentBlock, ClaudeTurn, RunPlan, SystemPromptPlacement } from '../contract/run-plan.js';

/** The neutral user turn the Messages API needs where a client's conversation has none. */
const CONVERSATION_START = '(the conversation starts here)';

function conversationStart(): ClaudeContentBlock[] {
  return [{ type: 'text', text: CONVERSATION_START }];
}

/**
 * Puts the client's system text where SYSTEM_PROMPT_PLACEMENT says, the same for every surface:
 * `replace` or `append` to Claude Code's system prompt, or `first-user-turn`, where Claude Code's own
 * system prompt stays exactly as Claude Code sends it and the client's text leads the conversation
 * (its first user turn, or the prompt when there is no history).
 */
export function placeSystemPrompt(
  plan: RunPlan,
  systemText: string | undefined,
  placement: SystemPromptPlacement,
): void {
  if (placement === 'first-user-turn') {
    plan.systemPrompt = { text: '', placement: 'append' };
    if (systemText === undefined) return;
    const firstUser = plan.history[0]?.content ?? plan.prompt;
    firstUser.unshift({ type: 'text', text: `<instructions>\n${systemText}\n</instructions>` });
  } else if (systemText !== undefined) {
    plan.systemPrompt = { text: systemText, placement };
  }
}

/**
 * The Messages API wants a conversation to start with a user turn; history a client sent starting
 * with an assistant message gets a neutral user turn in front.
 */
export function startWithUserTurn(history: ClaudeTurn[]): void {
  if (history[0]?.role === 'assistant') {
    history.unshift({ role: 'user', content: conversationStart() });
  }
}

/**
 * The turn a run answers: the conversation's last turn, or, for a conversation of instructions only
 * (system and developer messages, which OpenAI answers), the neutral user turn, so Claude answers the
 * instructions. Undefined when there is neither (the surface's 400).
 */
export function takePrompt(turns: ClaudeTurn[], systemText: string | undefined): ClaudeTurn | undefined {
  if (turns.length === 0 && systemText !== undefined) return { role: 'user', content: conversationStart() };
  return turns.pop();
}
