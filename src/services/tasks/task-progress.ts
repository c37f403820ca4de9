import type { RunEvent } from '../../contract/run-events.js';

/** What a task did with one tool, as the answer lists it. */
export interface TaskToolCall {
  id: string;
  tool: string;
  input: unknown;
  /** The tool's output, cut to OUTPUT_LIMIT characters. */
  output: string;
  isError: boolean;
  durationMs: number;
}

/**
 * A task's progress as it runs, as its event log stores it and its SSE stream replays it
 * (`complete`/`error` are added by the task service).
 */
export type TaskProgressEvent =
  | { event: 'tool_use'; data: { id: string; tool: string; input: unknown } }
  | {
      event: 'tool_result';
      data: { id: string; tool: string; output: string; isError: boolean; durationMs: number };
    }
  | { event: 'text_delta'; data: { text: string } };

/** Outputs longer than this are cut: a task's answer lists what happened, not whole files. */
export const OUTPUT_LIMIT = 2_000;

export interface TaskFold {
  summary: string;
  toolCalls: TaskToolCall[];
  /** Start times of calls still waiting for their result. */
  pending: Map<string, { index: number; startedAt: number }>;
}

export function emptyTaskFold(): TaskFold {
  return { summary: '', toolCalls: [], pending: new Map() };
}

/**
 * Folds one run event into the task's state and says what to tell the client. Pure but for the
 * clock it is given. The summary is the text of the last assistant message after the last tool
 * result: an agent's "let me look" before a tool call is not its answer.
 */
export function foldTaskEvent(fold: TaskFold, event: RunEvent, now: number): TaskProgressEvent[] {
  switch (event.type) {
    case 'agent_tool_use':
      fold.pending.set(event.id, { index: fold.toolCalls.length, startedAt: now });
      fold.toolCalls.push({
        id: event.id,
        tool: event.name,
        input: event.input,
        output: '',
        isError: false,
        durationMs: 0,
      });
      fold.summary = '';
      return [{ event: 'tool_use', data: { id: event.id, tool: event.name, input: event.input } }];
    case 'agent_tool_result': {
      const started = fold.pending.get(event.id);
      fold.pending.delete(event.id);
      const output = trim(event.output);
      const durationMs = started ? Math.max(0, Math.round(now - started.startedAt)) : 0;
      const call = started ? fold.toolCalls[started.index] : undefined;
      if (call) Object.assign(call, { output, isError: event.isError, durationMs });
      return [
        {
          event: 'tool_result',
          data: { id: event.id, tool: event.name, output, isError: event.isError, durationMs },
        },
      ];
    }
    case 'text_delta':
      fold.summary += event.text;
      return [{ event: 'text_delta', data: { text: event.text } }];
    default:
      return [];
  }
}

function trim(output: string): string {
  return output.length <= OUTPUT_LIMIT
    ? output
    : `${output.slice(0, OUTPUT_LIMIT)}… [${output.length - OUTPUT_LIMIT} more characters]`;
}
