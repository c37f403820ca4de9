/**
 * Neutral run events: what a Claude Code run produced, in no wire's terms. `interpret-sdk` turns
 * Agent SDK messages into these; every surface encodes them into its own wire, and its
 * non-streaming reply is a fold of its own stream. Ids and indexes are stable for the whole run
 * (an agent loop's several API calls, a retried stream), so encoders never see restarts or
 * duplicates.
 */
import type { GatewayError } from './gateway-error.js';

/** Why the answer ended, in neutral terms; each surface maps it to its own vocabulary. */
export type FinishReason =
  /** The model finished its answer (also: structured output delivered). */
  | 'end_turn'
  /** The output token limit (the plan's `maxOutputTokens`) cut the answer. */
  | 'max_tokens'
  /** A stop sequence of the plan ended the answer (`stopSequence` names it). */
  | 'stop_sequence'
  /** The model called client tools; the client runs them and continues the turn. */
  | 'tool_use'
  /** An agent run used up its turns (`maxTurns`): the answer so far is a cut answer. */
  | 'max_turns'
  /** The model refused to answer (Anthropic `refusal`). */
  | 'refusal';

export interface RunUsage {
  /** Uncached input tokens (Anthropic's `input_tokens`). */
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
  /** Output tokens spent thinking, when reported (part of outputTokens). */
  reasoningTokens: number;
}

export type RunEvent =
  /** Once, before anything else of the answer: the first API message began (or the first content). */
  | { type: 'message_start' }
  /** Answer text (already cut at stop sequences; structured output arrives as one JSON text delta). */
  | { type: 'text_delta'; text: string }
  /** Model thinking. A change to another event type closes the reasoning block. */
  | { type: 'reasoning_delta'; text: string }
  /** The signature of the reasoning block just streamed (Anthropic `signature_delta`). */
  | { type: 'reasoning_signature'; signature: string }
  /** A client tool call begins; `index` counts calls from 0 for the whole run, `name` is the client's. */
  | { type: 'tool_call_start'; index: number; id: string; name: string }
  | { type: 'tool_call_delta'; index: number; argumentsDelta: string }
  /** The call is complete; `arguments` is the whole JSON text. */
  | { type: 'tool_call_end'; index: number; arguments: string }
  /** Agent mode: Claude Code is running one of its own tools (never a client tool). */
  | { type: 'agent_tool_use'; id: string; name: string; input: unknown }
  /** Agent mode: the result Claude Code got for `agent_tool_use` with the same id. */
  | { type: 'agent_tool_result'; id: string; name: string; output: string; isError: boolean }
  /** The answer is complete. `usage` is always the whole run's usage, whatever the client asked. */
  | { type: 'finish'; reason: FinishReason; stopSequence?: string; usage: RunUsage }
  /** The run failed; nothing follows. Before the first event it is the request's HTTP error. */
  | { type: 'error'; error: GatewayError };

export const ZERO_USAGE: RunUsage = {
  inputTokens: 0,
  outputTokens: 0,
  cacheReadInputTokens: 0,
  cacheCreationInputTokens: 0,
  reasoningTokens: 0,
};

/** Every input token of a run, cached or not: what the audit log and metrics count as the prompt. */
export function promptTokensOf(usage: RunUsage): number {
  return usage.inputTokens + usage.cacheReadInputTokens + usage.cacheCreationInputTokens;
}
