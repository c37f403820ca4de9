import type { SDKMessage } from '@anthropic-ai/claude-agent-sdk';
import type {
  ChatCompletionChunk,
  ChunkDelta,
  CompletionUsage,
  FinishReason,
  ToolCallDelta,
} from '../openai/chat-response.js';
import { GatewayError } from '../openai/errors.js';
import { mapFinishReason } from './map-finish-reason.js';
import { mapRunError } from './map-run-error.js';
import { createStopScanner, flushHeld, type StopScanner, scanText } from './stop-sequences.js';

/**
 * SDK messages in, `chat.completion.chunk`s out. The non-streaming response is a fold of the same
 * chunks (see fold-chunks.ts), so both paths share this one state machine.
 */

export type TranslatorOutput =
  | { kind: 'chunk'; chunk: ChatCompletionChunk }
  | { kind: 'error'; error: GatewayError };

export interface TranslatorOptions {
  id: string;
  created: number;
  /** The model name as the client asked for it; echoed back on every chunk. */
  model: string;
  /** Send the final `choices: []` usage chunk (stream_options.include_usage, and always for folding). */
  includeUsage: boolean;
  /** Names of tools that belong to the client: their calls become OpenAI `tool_calls`. */
  clientToolName?: (claudeToolName: string) => string | undefined;
  /**
   * Client tool calls past this many are dropped (`parallel_tool_calls: false` allows 1,
   * `tool_choice: "none"` 0); undefined allows any number.
   */
  maxToolCalls?: number;
  /** How Claude Code's own tool calls (agent mode) are shown; undefined hides them. */
  describeAgentToolUse?: (name: string, input: unknown) => string;
  /** How the results of those calls are shown (as reasoning); undefined hides them. */
  describeAgentToolResult?: (output: string, isError: boolean) => string;
  /** OpenAI `stop`: the answer text ends before the first of these (applied by the gateway). */
  stopSequences?: readonly string[];
  /** The JSON returned through structured output replaces the message content. */
  structuredOutput: boolean;
}

type BlockRole =
  | { kind: 'text' }
  | { kind: 'thinking' }
  | { kind: 'client-tool'; callIndex: number }
  | { kind: 'agent-tool'; id: string; name: string; json: string }
  | { kind: 'ignored' };

export interface TranslatorState {
  readonly options: TranslatorOptions;
  sentRole: boolean;
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
  /** Present when the request has stop sequences. */
  stopScanner: StopScanner | undefined;
  /** Claude Code's own tool calls shown to the client, whose results are shown too. */
  agentToolUseIds: Set<string>;
}

export function createTranslatorState(options: TranslatorOptions): TranslatorState {
  return {
    options,
    sentRole: false,
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
    agentToolUseIds: new Set(),
  };
}

export function translateMessage(state: TranslatorState, message: SDKMessage): TranslatorOutput[] {
  if (state.finished) return [];
  switch (message.type) {
    case 'stream_event':
      return message.parent_tool_use_id === null ? translateStreamEvent(state, message.event) : [];
    case 'assistant':
      // The CLI reports API failures as a synthetic assistant message before the error result;
      // its text is an error description, not an answer.
      if (message.parent_tool_use_id !== null || message.error || message.message.model === '<synthetic>')
        return [];
      return translateAssistantMessage(state, message.message);
    case 'result':
      return translateResult(state, message);
    case 'user':
      return message.parent_tool_use_id === null ? translateToolResults(state, message.message.content) : [];
    default:
      return [];
  }
}

/** Called when the SDK stream ends; a run that ended without a result is an error, not a silent stop. */
export function finishTranslation(state: TranslatorState): TranslatorOutput[] {
  if (state.finished) return [];
  state.finished = true;
  return [
    {
      kind: 'error',
      error: new GatewayError({
        status: 502,
        type: 'api_error',
        code: 'claude_code_incomplete',
        message: 'Claude Code exited before finishing its answer.',
      }),
    },
  ];
}

type StreamEvent = Extract<SDKMessage, { type: 'stream_event' }>['event'];

function translateStreamEvent(state: TranslatorState, event: StreamEvent): TranslatorOutput[] {
  switch (event.type) {
    case 'message_start':
      state.streamedMessageIds.add(event.message.id);
      state.lastInputUsage = event.message.usage;
      state.blocks.clear();
      state.unfinishedText = '';
      state.streamOpen = true;
      state.messageCompleted = false;
      state.clientToolUseInMessage = false;
      return roleChunkOnce(state);
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
      // an OpenAI client asked for a bounded answer, so the answer ends here.
      if (event.delta.stop_reason === 'max_tokens') return finishNow(state, 'length');
      // The client runs its own tools: the answer is complete once the message calling them is, and
      // Claude Code (which would wait for their results) is stopped.
      if (event.delta.stop_reason === 'tool_use' && state.clientToolUseInMessage) {
        return finishNow(state, toolCallsFinishReason(state));
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
  state: TranslatorState,
  index: number,
  block: { type: string; text?: string; id?: string; name?: string },
): TranslatorOutput[] {
  const out = roleChunkOnce(state);
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
    if (clientName !== undefined && !toolCallAllowed(state)) {
      state.blocks.set(index, { kind: 'ignored' });
    } else if (clientName !== undefined) {
      const callIndex = state.toolCallCount++;
      state.blocks.set(index, { kind: 'client-tool', callIndex });
      out.push(...flushContent(state));
      out.push(
        chunk(state, {
          tool_calls: [
            { index: callIndex, id, type: 'function', function: { name: clientName, arguments: '' } },
          ],
        }),
      );
    } else {
      state.blocks.set(index, { kind: 'agent-tool', id, name, json: '' });
    }
  } else {
    state.blocks.set(index, { kind: 'ignored' });
  }
  return out;
}

function blockDelta(
  state: TranslatorState,
  index: number,
  delta: { type: string; text?: string; thinking?: string; partial_json?: string },
): TranslatorOutput[] {
  const role = state.blocks.get(index);
  if (!role) return [];
  if (role.kind === 'text' && delta.type === 'text_delta' && delta.text) return textOut(state, delta.text);
  if (role.kind === 'thinking' && delta.type === 'thinking_delta' && delta.thinking) {
    return [chunk(state, { reasoning_content: delta.thinking })];
  }
  if (delta.type === 'input_json_delta' && delta.partial_json) {
    if (role.kind === 'client-tool') {
      return [
        chunk(state, {
          tool_calls: [{ index: role.callIndex, function: { arguments: delta.partial_json } }],
        }),
      ];
    }
    if (role.kind === 'agent-tool') role.json += delta.partial_json;
  }
  return [];
}

function stopBlock(state: TranslatorState, index: number): TranslatorOutput[] {
  const role = state.blocks.get(index);
  if (role?.kind !== 'agent-tool') return [];
  return agentToolOut(state, role.id, role.name, parseJsonOr(role.json, {}));
}

function textOut(state: TranslatorState, text: string): TranslatorOutput[] {
  if (state.options.structuredOutput) return [];
  if (state.streamOpen) state.unfinishedText += text;
  return contentOut(state, text);
}

/** Answer text on its way to the client, cut at the first stop sequence (which ends the answer). */
function contentOut(state: TranslatorState, text: string): TranslatorOutput[] {
  const scanner = state.stopScanner;
  if (!scanner) return [chunk(state, { content: text })];
  const { emit, stopped } = scanText(scanner, text);
  const out = emit ? [chunk(state, { content: emit })] : [];
  if (stopped) out.push(...finishNow(state, 'stop'));
  return out;
}

/** Text held back as a possible start of a stop sequence, released when something else follows. */
function flushContent(state: TranslatorState): TranslatorOutput[] {
  const held = state.stopScanner ? flushHeld(state.stopScanner) : '';
  return held ? [chunk(state, { content: held })] : [];
}

/** Claude Code's tool for structured output: its call is the answer, not agent activity. */
const STRUCTURED_OUTPUT_TOOL = 'StructuredOutput';

function agentToolOut(state: TranslatorState, id: string, name: string, input: unknown): TranslatorOutput[] {
  const describe = state.options.describeAgentToolUse;
  if (!describe || name === STRUCTURED_OUTPUT_TOOL) return [];
  state.agentToolUseIds.add(id);
  return [chunk(state, { reasoning_content: describe(name, input) })];
}

type UserContent = Extract<SDKMessage, { type: 'user' }>['message']['content'];

/** Results of the agent's own tool calls (Claude Code ran them), shown briefly as reasoning. */
function translateToolResults(state: TranslatorState, content: UserContent): TranslatorOutput[] {
  const describe = state.options.describeAgentToolResult;
  if (!describe || typeof content === 'string') return [];
  const out: TranslatorOutput[] = [];
  for (const block of content) {
    if (block.type !== 'tool_result' || !state.agentToolUseIds.has(block.tool_use_id)) continue;
    out.push(...roleChunkOnce(state));
    const description = describe(toolResultText(block.content), block.is_error === true);
    out.push(chunk(state, { reasoning_content: description }));
  }
  return out;
}

function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((part: unknown) =>
      part !== null && typeof part === 'object' && 'text' in part && typeof part.text === 'string'
        ? part.text
        : '',
    )
    .join('\n');
}

type AssistantPayload = Extract<SDKMessage, { type: 'assistant' }>['message'];

/**
 * A complete assistant message that was not streamed: partial messages were off, or the CLI retried
 * without streaming after a failed stream. In the retry case the client already has the failed
 * stream's text, so only what goes beyond it is sent.
 */
function translateAssistantMessage(state: TranslatorState, message: AssistantPayload): TranslatorOutput[] {
  if (state.streamedMessageIds.has(message.id)) return [];
  state.clientToolUseInMessage = false;
  const out = roleChunkOnce(state);
  for (const block of message.content) {
    // A stop sequence in an earlier block ended the answer.
    if (state.finished) return out;
    if (block.type === 'text') {
      const already = state.unfinishedText;
      const fresh = already && block.text.startsWith(already) ? block.text.slice(already.length) : block.text;
      state.unfinishedText = '';
      if (fresh && !state.options.structuredOutput) out.push(...contentOut(state, fresh));
    } else if (block.type === 'thinking') {
      if (block.thinking) out.push(chunk(state, { reasoning_content: block.thinking }));
    } else if (block.type === 'tool_use') {
      const clientName = state.options.clientToolName?.(block.name);
      if (clientName === undefined) {
        out.push(...agentToolOut(state, block.id, block.name, block.input));
        continue;
      }
      state.clientToolUseInMessage = true;
      if (!toolCallAllowed(state)) continue;
      out.push(...flushContent(state));
      const call: ToolCallDelta = {
        index: state.toolCallCount++,
        id: block.id,
        type: 'function',
        function: { name: clientName, arguments: JSON.stringify(block.input ?? {}) },
      };
      out.push(chunk(state, { tool_calls: [call] }));
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
    out.push(...finishOutputs(state, toolCallsFinishReason(state), usage));
  }
  return out;
}

/** `tool_calls` when calls were returned; `stop` when every call was dropped (tool_choice "none"). */
function toolCallsFinishReason(state: TranslatorState): FinishReason {
  return state.toolCallCount > 0 ? 'tool_calls' : 'stop';
}

function toolCallAllowed(state: TranslatorState): boolean {
  const max = state.options.maxToolCalls;
  return max === undefined || state.toolCallCount < max;
}

type ResultMessage = Extract<SDKMessage, { type: 'result' }>;

function translateResult(state: TranslatorState, result: ResultMessage): TranslatorOutput[] {
  state.finished = true;
  // The agent used up its turns (claude_code.max_turns): the answer so far is a cut answer.
  if (result.subtype === 'error_max_turns') return finishOutputs(state, 'length', result.usage);
  if (result.is_error || result.subtype !== 'success') {
    return [{ kind: 'error', error: mapRunError(describeFailure(result)) }];
  }
  if (state.options.structuredOutput) {
    // The JSON is complete whatever stop reason the StructuredOutput call had ('tool_use').
    if (result.structured_output === undefined) return [{ kind: 'error', error: structuredOutputMissing() }];
    return [
      ...roleChunkOnce(state),
      chunk(state, { content: JSON.stringify(result.structured_output) }),
      ...finishOutputs(state, 'stop', result.usage),
    ];
  }
  const finishReason = mapFinishReason(result.stop_reason ?? state.stopReason, state.toolCallCount > 0);
  return finishOutputs(state, finishReason, result.usage);
}

/** Claude answered in text even after Claude Code insisted on the StructuredOutput tool. */
function structuredOutputMissing(): GatewayError {
  return new GatewayError({
    status: 502,
    type: 'api_error',
    code: 'structured_output_failed',
    message: 'Claude answered without producing the requested JSON output.',
  });
}

/** Ends the answer before Claude Code's own result (it would go on); usage is what streamed so far. */
function finishNow(state: TranslatorState, finishReason: FinishReason): TranslatorOutput[] {
  state.finished = true;
  return finishOutputs(state, finishReason, streamedUsage(state) ?? {});
}

/**
 * Token usage of the API calls streamed so far, for answers that end before Claude Code reports its
 * own totals; undefined when nothing was streamed.
 */
export function streamedUsage(state: TranslatorState): ClaudeUsage | undefined {
  if (!state.lastInputUsage) return undefined;
  return { ...state.lastInputUsage, output_tokens: state.outputTokens };
}

function finishOutputs(
  state: TranslatorState,
  finishReason: FinishReason,
  usage: ClaudeUsage,
): TranslatorOutput[] {
  const out = roleChunkOnce(state);
  out.push(...flushContent(state));
  out.push({
    kind: 'chunk',
    chunk: baseChunk(state, [{ index: 0, delta: {}, logprobs: null, finish_reason: finishReason }]),
  });
  if (state.options.includeUsage) {
    out.push({ kind: 'chunk', chunk: { ...baseChunk(state, []), usage: mapUsage(usage) } });
  }
  return out;
}

function describeFailure(result: ResultMessage) {
  const apiErrorStatus = (result as { api_error_status?: number | null }).api_error_status ?? null;
  const detail = result.subtype === 'success' ? result.result : result.errors.join('; ');
  return { subtype: result.subtype, apiErrorStatus, detail };
}

export interface ClaudeUsage {
  input_tokens?: number | null;
  output_tokens?: number | null;
  cache_read_input_tokens?: number | null;
  cache_creation_input_tokens?: number | null;
  output_tokens_details?: { thinking_tokens?: number | null } | null;
}

/** OpenAI counts cached prompt tokens inside prompt_tokens; Anthropic reports them separately. */
export function mapUsage(usage: ClaudeUsage): CompletionUsage {
  const cached = usage.cache_read_input_tokens ?? 0;
  const promptTokens = (usage.input_tokens ?? 0) + cached + (usage.cache_creation_input_tokens ?? 0);
  const completionTokens = usage.output_tokens ?? 0;
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: cached },
    completion_tokens_details: { reasoning_tokens: usage.output_tokens_details?.thinking_tokens ?? 0 },
  };
}

function roleChunkOnce(state: TranslatorState): TranslatorOutput[] {
  if (state.sentRole) return [];
  state.sentRole = true;
  return [chunk(state, { role: 'assistant', content: '' })];
}

function chunk(state: TranslatorState, delta: ChunkDelta): TranslatorOutput {
  return {
    kind: 'chunk',
    chunk: baseChunk(state, [{ index: 0, delta, logprobs: null, finish_reason: null }]),
  };
}

function baseChunk(state: TranslatorState, choices: ChatCompletionChunk['choices']): ChatCompletionChunk {
  const { id, created, model, includeUsage } = state.options;
  const base: ChatCompletionChunk = {
    id,
    object: 'chat.completion.chunk',
    created,
    model,
    choices,
  };
  if (includeUsage) base.usage = null;
  return base;
}

function parseJsonOr<T>(text: string, fallback: T): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return fallback;
  }
}
