import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import { GatewayError } from '../contract/gateway-error.js';
import { type FinishReason, type RunEvent, type RunUsage, ZERO_USAGE } from '../contract/run-events.js';
import {
  createHeldAttempt,
  enterMessage,
  type HeldAttempt,
  hold,
  releaseForToolCall,
  toolChoiceNotMet,
} from './forced-tool-choice.js';
import { mapRunError } from './map-run-error.js';
import { finishReasonOf, structuredOutputMissing } from './run-outcome.js';
import { createStopScanner, flushHeld, type StopScanner, scanText } from './stop-sequences.js';
import { clientToolOutput, toolResultText } from './tool-result-text.js';

/**
 * Agent SDK messages in, neutral RunEvents out: the one state machine that knows how Claude Code
 * streams (stream events and their `assistant` copies, a non-streaming retry after a failed stream,
 * recovery turns after max_tokens, client tools that end the answer, stop sequences). Every surface
 * encodes these events; none reads SDK messages.
 */
export interface InterpretOptions {
  /** The client's name for a Claude tool name when the tool belongs to the client; undefined otherwise. */
  clientToolName?: (claudeToolName: string) => string | undefined;
  /** Client tool calls past this many are dropped; undefined allows any number. */
  maxToolCalls?: number;
  /** Report Claude Code's own tool calls and results (agent mode) as agent_tool_use/agent_tool_result. */
  agentActivity: boolean;
  /** The answer text ends before the first of these (applied by the gateway, not the API). */
  stopSequences?: readonly string[];
  /** The JSON returned through structured output is the answer (one text_delta at the end). */
  structuredOutput: boolean;
  /** The answer must call a client tool (forced-tool-choice.ts): text is held, an answer without one fails. */
  forcedToolCall?: boolean;
}

type BlockRole =
  | { kind: 'text' }
  | { kind: 'thinking' }
  | { kind: 'client-tool'; callIndex: number; json: string }
  | { kind: 'agent-tool'; id: string; name: string; json: string }
  | { kind: 'ignored' };

export interface InterpreterState {
  readonly options: InterpretOptions;
  started: boolean;
  /** API message ids whose content arrived as stream events; their `assistant` copies are skipped. */
  streamedMessageIds: Set<string>;
  /** Blocks of the API message being streamed, by block index (indexes restart per API call). */
  blocks: Map<number, BlockRole>;
  /** Text of a streamed message that never reached message_stop: a non-streaming retry repeats it. */
  unfinishedText: string;
  streamOpen: boolean;
  /** The streamed message got its message_delta (a stop reason): it really finished. */
  messageCompleted: boolean;
  toolCallCount: number;
  /** The API message being read called a client tool: the answer ends with that message. */
  clientToolUseInMessage: boolean;
  stopReason: string | null;
  /** True once the answer is complete (or failed): the caller should stop the run. */
  finished: boolean;
  /** Usage as reported during streaming, for answers that end before Claude Code's result. */
  lastInputUsage: ClaudeUsage | undefined;
  outputTokens: number;
  stopScanner: StopScanner | undefined;
  /** Claude Code's own tool calls reported so far, by id (their results are reported too). */
  agentToolNames: Map<string, string>;
  /** Answer text held back under a forced tool choice; undefined when the choice is free. */
  held: HeldAttempt | undefined;
}

export interface ClaudeUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  output_tokens_details?: { thinking_tokens?: number | null } | null;
}

export function createInterpreter(options: InterpretOptions): InterpreterState {
  return {
    options,
    started: false,
    streamedMessageIds: new Set(),
    blocks: new Map(),
    unfinishedText: '',
    streamOpen: false,
    messageCompleted: false,
    toolCallCount: 0,
    clientToolUseInMessage: false,
    stopReason: null,
    finished: false,
    lastInputUsage: undefined,
    outputTokens: 0,
    stopScanner: options.stopSequences?.length ? createStopScanner(options.stopSequences) : undefined,
    agentToolNames: new Map(),
    held: options.forcedToolCall ? createHeldAttempt() : undefined,
  };
}

export function interpretMessage(state: InterpreterState, message: SDKMessage): RunEvent[] {
  if (state.finished) return [];
  switch (message.type) {
    case 'stream_event':
      return message.parent_tool_use_id === null ? streamEvent(state, message.event) : [];
    case 'assistant':
      // The CLI reports API failures as a synthetic assistant message before the error result;
      // its text is an error description, not an answer.
      if (message.parent_tool_use_id !== null || message.error || message.message.model === '<synthetic>')
        return [];
      return assistantMessage(state, message.message);
    case 'result':
      return resultMessage(state, message);
    case 'user':
      return message.parent_tool_use_id === null ? toolResults(state, message.message.content) : [];
    default:
      return [];
  }
}

/** Called when the SDK stream ends; a run that ended without a result is an error, not a silent stop. */
export function finishInterpretation(state: InterpreterState): RunEvent[] {
  if (state.finished) return [];
  state.finished = true;
  return [
    {
      type: 'error',
      error: new GatewayError({
        kind: 'upstream',
        status: 502,
        code: 'claude_code_incomplete',
        message: 'Claude Code exited before finishing its answer.',
      }),
    },
  ];
}

/** Usage of the API calls streamed so far (answers that end before Claude Code's totals); undefined if none. */
export function streamedUsage(state: InterpreterState): ClaudeUsage | undefined {
  if (!state.lastInputUsage) return undefined;
  return { ...state.lastInputUsage, output_tokens: state.outputTokens };
}

export function toRunUsage(usage: ClaudeUsage | undefined): RunUsage {
  if (!usage) return { ...ZERO_USAGE };
  return {
    inputTokens: usage.input_tokens ?? 0,
    outputTokens: usage.output_tokens ?? 0,
    cacheReadInputTokens: usage.cache_read_input_tokens ?? 0,
    cacheCreationInputTokens: usage.cache_creation_input_tokens ?? 0,
    reasoningTokens: usage.output_tokens_details?.thinking_tokens ?? 0,
  };
}

type StreamEvent = Extract<SDKMessage, { type: 'stream_event' }>['event'];

function streamEvent(state: InterpreterState, event: StreamEvent): RunEvent[] {
  switch (event.type) {
    case 'message_start':
      state.streamedMessageIds.add(event.message.id);
      state.lastInputUsage = event.message.usage;
      state.blocks.clear();
      state.unfinishedText = '';
      state.streamOpen = true;
      state.messageCompleted = false;
      state.clientToolUseInMessage = false;
      return [...startOnce(state), ...enteredMessage(state, event.message.id)];
    case 'content_block_start':
      return startBlock(state, event.index, event.content_block);
    case 'content_block_delta':
      return blockDelta(state, event.index, event.delta);
    case 'content_block_stop':
      return stopBlock(state, event.index);
    case 'message_delta':
      if (event.delta.stop_reason) {
        state.stopReason = event.delta.stop_reason;
        state.messageCompleted = true;
      }
      state.outputTokens += event.usage?.output_tokens ?? 0;
      // On max_tokens Claude Code would start a recovery turn ("Output token limit hit. Resume…");
      // the client asked for a bounded answer, so the answer ends here.
      if (event.delta.stop_reason === 'max_tokens') return finishNow(state, 'max_tokens');
      // The client runs its own tools: the answer is complete once the message calling them is, and
      // Claude Code (which would wait for their results) is stopped.
      if (event.delta.stop_reason === 'tool_use' && state.clientToolUseInMessage) {
        return finishNow(state, toolUseFinishReason(state));
      }
      return [];
    case 'message_stop':
      // After a failed stream the CLI closes the message itself, without a message_delta, and
      // retries without streaming; keep the text the client already has so the retry is not doubled.
      state.streamOpen = false;
      if (state.messageCompleted) state.unfinishedText = '';
      return [];
    default:
      return [];
  }
}

function startBlock(
  state: InterpreterState,
  index: number,
  block: { type: string; text?: string; id?: string; name?: string },
): RunEvent[] {
  const out = startOnce(state);
  if (block.type === 'text') {
    state.blocks.set(index, { kind: 'text' });
    const initial = block.text ?? '';
    if (initial) out.push(...textOut(state, initial));
  } else if (block.type === 'thinking') {
    state.blocks.set(index, { kind: 'thinking' });
  } else if (block.type === 'tool_use') {
    const id = block.id ?? '';
    const name = block.name ?? '';
    const clientName = state.options.clientToolName?.(name);
    if (clientName !== undefined) state.clientToolUseInMessage = true;
    out.push(...releasedForToolCall(state));
    if (clientName !== undefined && !toolCallAllowed(state)) {
      state.blocks.set(index, { kind: 'ignored' });
    } else if (clientName !== undefined) {
      const callIndex = state.toolCallCount++;
      state.blocks.set(index, { kind: 'client-tool', callIndex, json: '' });
      out.push(...flushText(state));
      out.push({ type: 'tool_call_start', index: callIndex, id, name: clientName });
    } else {
      state.blocks.set(index, { kind: 'agent-tool', id, name, json: '' });
    }
  } else {
    state.blocks.set(index, { kind: 'ignored' });
  }
  return out;
}

function blockDelta(
  state: InterpreterState,
  index: number,
  delta: { type: string; text?: string; thinking?: string; partial_json?: string; signature?: string },
): RunEvent[] {
  const role = state.blocks.get(index);
  if (!role) return [];
  if (role.kind === 'text' && delta.type === 'text_delta' && delta.text) return textOut(state, delta.text);
  if (role.kind === 'thinking' && delta.type === 'thinking_delta' && delta.thinking) {
    return [{ type: 'reasoning_delta', text: delta.thinking }];
  }
  if (role.kind === 'thinking' && delta.type === 'signature_delta' && delta.signature) {
    return [{ type: 'reasoning_signature', signature: delta.signature }];
  }
  if (delta.type === 'input_json_delta' && delta.partial_json) {
    if (role.kind === 'agent-tool') role.json += delta.partial_json;
    if (role.kind === 'client-tool') {
      role.json += delta.partial_json;
      return [{ type: 'tool_call_delta', index: role.callIndex, argumentsDelta: delta.partial_json }];
    }
  }
  return [];
}

function stopBlock(state: InterpreterState, index: number): RunEvent[] {
  const role = state.blocks.get(index);
  if (role?.kind === 'client-tool') {
    return [{ type: 'tool_call_end', index: role.callIndex, arguments: role.json }];
  }
  if (role?.kind !== 'agent-tool') return [];
  return agentToolOut(state, role.id, role.name, parseJsonOr(role.json, {}));
}

function textOut(state: InterpreterState, text: string): RunEvent[] {
  if (state.options.structuredOutput) return [];
  if (state.streamOpen) state.unfinishedText += text;
  return answerText(state, text);
}

/** Answer text on its way to the client, cut at the first stop sequence (which ends the answer). */
function answerText(state: InterpreterState, text: string): RunEvent[] {
  const scanner = state.stopScanner;
  if (!scanner) return heldText(state, [{ type: 'text_delta', text }]);
  const { emit, stopped, stop } = scanText(scanner, text);
  const out: RunEvent[] = emit ? heldText(state, [{ type: 'text_delta', text: emit }]) : [];
  if (stopped) out.push(...finishNow(state, 'stop_sequence', stop));
  return out;
}

/** Text held back as a possible start of a stop sequence, released when something else follows. */
function flushText(state: InterpreterState): RunEvent[] {
  const held = state.stopScanner ? flushHeld(state.stopScanner) : '';
  return held ? heldText(state, [{ type: 'text_delta', text: held }]) : [];
}

/** Text deltas as the client may see them now: all of them, or none under a forced tool choice. */
function heldText(state: InterpreterState, events: RunEvent[]): RunEvent[] {
  return state.held ? hold(state.held, events) : events;
}

/** A new API message: under a forced tool choice, the text of one that called no tool is dropped. */
function enteredMessage(state: InterpreterState, messageId: string): RunEvent[] {
  if (!state.held) return [];
  // Text a stop scanner still holds belongs to the message before: it is held (or dropped) with it.
  flushText(state);
  return enterMessage(state.held, messageId);
}

/** The message calls a tool: the text it held goes out first. */
function releasedForToolCall(state: InterpreterState): RunEvent[] {
  if (!state.held) return [];
  flushText(state);
  return releaseForToolCall(state.held);
}

/** Claude Code's tool for structured output: its call is the answer, not agent activity. */
const STRUCTURED_OUTPUT_TOOL = 'StructuredOutput';

function agentToolOut(state: InterpreterState, id: string, name: string, input: unknown): RunEvent[] {
  if (!state.options.agentActivity || name === STRUCTURED_OUTPUT_TOOL) return [];
  state.agentToolNames.set(id, name);
  return [{ type: 'agent_tool_use', id, name, input }];
}

type UserContent = Extract<SDKMessage, { type: 'user' }>['message']['content'];

/** Results of the agent's own tool calls (Claude Code ran them). */
function toolResults(state: InterpreterState, content: UserContent): RunEvent[] {
  if (!state.options.agentActivity || typeof content === 'string') return [];
  const out: RunEvent[] = [];
  for (const block of content) {
    if (block.type !== 'tool_result') continue;
    const name = state.agentToolNames.get(block.tool_use_id);
    if (name === undefined) continue;
    out.push(...startOnce(state));
    out.push({
      type: 'agent_tool_result',
      id: block.tool_use_id,
      name,
      output: clientToolOutput(name, toolResultText(block.content)),
      isError: block.is_error === true,
    });
  }
  return out;
}

type AssistantPayload = Extract<SDKMessage, { type: 'assistant' }>['message'];

/**
 * A complete assistant message that was not streamed: partial messages were off, or the CLI retried
 * without streaming after a failed stream. In the retry case the client already has the failed
 * stream's text, so only what goes beyond it is sent.
 */
function assistantMessage(state: InterpreterState, message: AssistantPayload): RunEvent[] {
  if (state.streamedMessageIds.has(message.id)) return [];
  state.clientToolUseInMessage = false;
  const out = [...startOnce(state), ...enteredMessage(state, message.id)];
  for (const block of message.content) {
    // A stop sequence in an earlier block ended the answer.
    if (state.finished) return out;
    if (block.type === 'text') {
      const already = state.unfinishedText;
      const fresh = already && block.text.startsWith(already) ? block.text.slice(already.length) : block.text;
      state.unfinishedText = '';
      if (fresh && !state.options.structuredOutput) out.push(...answerText(state, fresh));
    } else if (block.type === 'thinking') {
      if (block.thinking) out.push({ type: 'reasoning_delta', text: block.thinking });
    } else if (block.type === 'tool_use') {
      out.push(...releasedForToolCall(state));
      const clientName = state.options.clientToolName?.(block.name);
      if (clientName === undefined) {
        out.push(...agentToolOut(state, block.id, block.name, block.input));
        continue;
      }
      state.clientToolUseInMessage = true;
      if (!toolCallAllowed(state)) continue;
      out.push(...flushText(state));
      const index = state.toolCallCount++;
      const args = JSON.stringify(block.input ?? {});
      // No deltas: the whole arguments arrive with the end (encoders may send them in one piece).
      out.push({ type: 'tool_call_start', index, id: block.id, name: clientName });
      out.push({ type: 'tool_call_end', index, arguments: args });
    }
  }
  if (message.stop_reason) state.stopReason = message.stop_reason;
  state.streamOpen = false;
  // Claude Code hands a non-streamed message over one block at a time and nothing marks the last
  // one, so the answer ends at the first block that calls a client tool; a parallel call after it is
  // not returned (the model can make it again once it has the first result).
  if (state.clientToolUseInMessage && !state.finished) {
    state.finished = true;
    const usage: ClaudeUsage = {
      ...message.usage,
      output_tokens: state.outputTokens + (message.usage.output_tokens ?? 0),
    };
    out.push(...finishEvents(state, toolUseFinishReason(state), usage));
  }
  return out;
}

/** `tool_use` when calls were returned; `end_turn` when every call was dropped (tool_choice "none"). */
function toolUseFinishReason(state: InterpreterState): FinishReason {
  return state.toolCallCount > 0 ? 'tool_use' : 'end_turn';
}

function toolCallAllowed(state: InterpreterState): boolean {
  const max = state.options.maxToolCalls;
  return max === undefined || state.toolCallCount < max;
}

type ResultMessage = Extract<SDKMessage, { type: 'result' }>;

function resultMessage(state: InterpreterState, result: ResultMessage): RunEvent[] {
  state.finished = true;
  // The agent used up its turns: the answer so far is a cut answer.
  if (result.subtype === 'error_max_turns') return finishEvents(state, 'max_turns', result.usage);
  if (result.is_error || result.subtype !== 'success') {
    return [{ type: 'error', error: mapRunError(describeFailure(result)) }];
  }
  if (state.options.structuredOutput) {
    // The JSON is complete whatever stop reason the StructuredOutput call had ('tool_use').
    if (result.structured_output === undefined) return [{ type: 'error', error: structuredOutputMissing() }];
    return [
      ...startOnce(state),
      { type: 'text_delta', text: JSON.stringify(result.structured_output) },
      ...finishEvents(state, 'end_turn', result.usage),
    ];
  }
  const reason = finishReasonOf(result.stop_reason ?? state.stopReason, state.toolCallCount > 0);
  return finishEvents(state, reason, result.usage);
}

/** Ends the answer before Claude Code's own result (it would go on); usage is what streamed so far. */
function finishNow(state: InterpreterState, reason: FinishReason, stopSequence?: string): RunEvent[] {
  state.finished = true;
  return finishEvents(state, reason, streamedUsage(state) ?? {}, stopSequence);
}

function finishEvents(
  state: InterpreterState,
  reason: FinishReason,
  usage: ClaudeUsage,
  stopSequence?: string,
): RunEvent[] {
  // Whatever text the answer held, it is not the tool call the client forced.
  if (state.held && reason !== 'tool_use') {
    return [...startOnce(state), { type: 'error', error: toolChoiceNotMet() }];
  }
  return [
    ...startOnce(state),
    ...(state.held ? releasedForToolCall(state) : flushText(state)),
    {
      type: 'finish',
      reason,
      ...(stopSequence !== undefined ? { stopSequence } : {}),
      usage: toRunUsage(usage),
    },
  ];
}

function describeFailure(result: ResultMessage) {
  const apiErrorStatus = (result as { api_error_status?: number | null }).api_error_status ?? null;
  const detail = result.subtype === 'success' ? result.result : result.errors.join('; ');
  return { subtype: result.subtype, apiErrorStatus, detail };
}

function startOnce(state: InterpreterState): RunEvent[] {
  if (state.started) return [];
  state.started = true;
  return [{ type: 'message_start' }];
}

function parseJsonOr<T>(text: string, fallback: T): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return fallback;
  }
}
