import { GatewayError } from '../contract/gateway-error.js';
import type { RunEvent } from '../contract/run-events.js';
import type { RunPlan } from '../contract/run-plan.js';

/**
 * Under a forced tool choice (`required`, a named function, Anthropic `any`/`tool`) Claude Code sends
 * the model back once when it answers in text (client-tool-options.ts). The text of such an attempt
 * must never reach the client, and the client cannot tell while it streams whether a tool call will
 * follow, so answer text is held per API message: released when that message calls a tool, dropped
 * when a new message begins after one that called none (the model was sent back).
 */
export interface HeldAttempt {
  /** The API message whose text is held; undefined before the first. */
  messageId: string | undefined;
  text: string;
  /** The held message called a tool (the client's or Claude Code's own): its text is no attempt to drop. */
  calledTool: boolean;
}

/** Whether a run of `plan` must end in a client tool call (structured output is its own answer). */
export function forcesToolCall(plan: Pick<RunPlan, 'clientTools' | 'clientToolPolicy' | 'outputSchema'>) {
  const choice = plan.clientToolPolicy?.choice;
  const forced = choice === 'required' || (typeof choice === 'object' && choice !== null);
  return forced && plan.clientTools.length > 0 && plan.outputSchema === undefined;
}

export function createHeldAttempt(): HeldAttempt {
  return { messageId: undefined, text: '', calledTool: false };
}

/** A (possibly) new API message begins: what the one before it held is released or dropped. */
export function enterMessage(held: HeldAttempt, messageId: string): RunEvent[] {
  if (held.messageId === messageId) return [];
  const out = held.calledTool ? release(held) : [];
  held.messageId = messageId;
  held.text = '';
  held.calledTool = false;
  return out;
}

/** Keeps text deltas back; every other event passes. */
export function hold(held: HeldAttempt, events: RunEvent[]): RunEvent[] {
  const passed: RunEvent[] = [];
  for (const event of events) {
    if (event.type === 'text_delta') held.text += event.text;
    else passed.push(event);
  }
  return passed;
}

/** The held message calls a tool: its text so far goes out (before the call). */
export function releaseForToolCall(held: HeldAttempt): RunEvent[] {
  held.calledTool = true;
  return release(held);
}

function release(held: HeldAttempt): RunEvent[] {
  const text = held.text;
  held.text = '';
  return text ? [{ type: 'text_delta', text }] : [];
}

/** The answer ended without the tool call the client forced, even after the model was sent back. */
export function toolChoiceNotMet(): GatewayError {
  return new GatewayError({
    kind: 'upstream',
    status: 502,
    code: 'tool_choice_not_met',
    message:
      'Claude answered without calling a tool although tool_choice required one, also when it was asked again.',
  });
}
