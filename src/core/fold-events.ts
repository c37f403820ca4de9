import type { GatewayError } from '../contract/gateway-error.js';
import { type FinishReason, type RunEvent, type RunUsage, ZERO_USAGE } from '../contract/run-events.js';

/** A run's events folded into one answer, in no wire's terms (sessions, non-streaming surfaces). */
export interface RunResult {
  text: string;
  reasoning: string;
  toolCalls: Array<{ id: string; name: string; arguments: string }>;
  /** Absent when the run never finished (an error, or events cut short). */
  finish?: { reason: FinishReason; stopSequence?: string };
  usage: RunUsage;
  error?: GatewayError;
}

export function emptyRunResult(): RunResult {
  return { text: '', reasoning: '', toolCalls: [], usage: { ...ZERO_USAGE } };
}

/** Adds one event to a result being folded (so observers can fold as events pass by). */
export function foldEvent(result: RunResult, event: RunEvent): void {
  switch (event.type) {
    case 'text_delta':
      result.text += event.text;
      return;
    case 'reasoning_delta':
      result.reasoning += event.text;
      return;
    case 'tool_call_start':
      result.toolCalls[event.index] = { id: event.id, name: event.name, arguments: '' };
      return;
    case 'tool_call_delta': {
      const call = result.toolCalls[event.index];
      if (call) call.arguments += event.argumentsDelta;
      return;
    }
    case 'tool_call_end': {
      const call = result.toolCalls[event.index];
      if (call) call.arguments = event.arguments;
      return;
    }
    case 'finish':
      result.finish = {
        reason: event.reason,
        ...(event.stopSequence !== undefined ? { stopSequence: event.stopSequence } : {}),
      };
      result.usage = event.usage;
      return;
    case 'error':
      result.error = event.error;
      return;
    default:
      return;
  }
}

export function foldEvents(events: Iterable<RunEvent>): RunResult {
  const result = emptyRunResult();
  for (const event of events) foldEvent(result, event);
  return result;
}
