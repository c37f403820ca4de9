/**
 * The Responses API's response object and stream events, as far as the gateway produces them, and
 * the echo of the request settings SDKs read back (`tools`, `text`, `reasoning`...).
 */
import type { RunUsage } from '../../../contract/run-events.js';
import type { ResponsesRequest } from './schema.js';

export interface OutputText {
  type: 'output_text';
  text: string;
  annotations: [];
  logprobs: [];
}

export interface MessageOutput {
  type: 'message';
  id: string;
  status: 'in_progress' | 'completed' | 'incomplete';
  role: 'assistant';
  content: OutputText[];
}

export interface FunctionCallOutput {
  type: 'function_call';
  id: string;
  call_id: string;
  name: string;
  arguments: string;
  status: 'in_progress' | 'completed' | 'incomplete';
}

export interface ReasoningOutput {
  type: 'reasoning';
  id: string;
  summary: Array<{ type: 'summary_text'; text: string }>;
  encrypted_content?: string;
  status?: 'in_progress' | 'completed' | 'incomplete';
}

/** A conversation compacted into one item (compaction.ts makes and reads `encrypted_content`). */
export interface CompactionOutput {
  type: 'compaction';
  id: string;
  encrypted_content: string;
}

export type OutputItem = MessageOutput | FunctionCallOutput | ReasoningOutput | CompactionOutput;

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type ResponseStatus = 'queued' | 'in_progress' | 'completed' | 'incomplete' | 'failed' | 'cancelled';

/** The request settings a response echoes (SDKs read them back from `response.created`). */
export interface ResponseSettings {
  model: string;
  instructions: string | null;
  tools: Array<{
    type: 'function';
    name: string;
    description: string | null;
    parameters: Record<string, unknown> | null;
    strict: boolean | null;
  }>;
  tool_choice: unknown;
  parallel_tool_calls: boolean;
  text: { format: unknown };
  reasoning: { effort: string | null; summary: string | null } | null;
  max_output_tokens: number | null;
  max_tool_calls: number | null;
  previous_response_id: string | null;
  store: boolean;
  background: boolean;
  metadata: Record<string, string>;
  /** The sampling settings in effect: Claude Code exposes none, so its (the API's) defaults. */
  temperature: number;
  top_p: number;
  presence_penalty: number;
  frequency_penalty: number;
  top_logprobs: number;
  truncation: 'auto' | 'disabled';
  service_tier: string;
  user: string | null;
  safety_identifier: string | null;
  prompt_cache_key: string | null;
}

export interface ResponseObject extends ResponseSettings {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  completed_at: number | null;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  output: OutputItem[];
  /** Null until the run reports it, as OpenAI sends it (and Open Responses requires the key). */
  usage: ResponseUsage | null;
}

type Sequenced<T> = T & { sequence_number: number };

export type ResponseStreamEvent = Sequenced<
  | { type: 'response.created' | 'response.in_progress'; response: ResponseObject }
  | { type: 'response.completed' | 'response.incomplete' | 'response.failed'; response: ResponseObject }
  | {
      type: 'response.output_item.added' | 'response.output_item.done';
      output_index: number;
      item: OutputItem;
    }
  | {
      type: 'response.content_part.added' | 'response.content_part.done';
      item_id: string;
      output_index: number;
      content_index: number;
      part: OutputText;
    }
  | {
      type: 'response.output_text.delta';
      item_id: string;
      output_index: number;
      content_index: number;
      delta: string;
      logprobs: [];
    }
  | {
      type: 'response.output_text.done';
      item_id: string;
      output_index: number;
      content_index: number;
      text: string;
      logprobs: [];
    }
  | { type: 'response.function_call_arguments.delta'; item_id: string; output_index: number; delta: string }
  | {
      type: 'response.function_call_arguments.done';
      item_id: string;
      output_index: number;
      name: string;
      arguments: string;
    }
  | {
      type: 'response.reasoning_summary_part.added' | 'response.reasoning_summary_part.done';
      item_id: string;
      output_index: number;
      summary_index: number;
      part: { type: 'summary_text'; text: string };
    }
  | {
      type: 'response.reasoning_summary_text.delta';
      item_id: string;
      output_index: number;
      summary_index: number;
      delta: string;
    }
  | {
      type: 'response.reasoning_summary_text.done';
      item_id: string;
      output_index: number;
      summary_index: number;
      text: string;
    }
  | {
      type: 'error';
      code: string | null;
      message: string;
      param: string | null;
      error: { type: string; code: string | null; message: string; param: string | null };
    }
>;

/** OpenAI counts cached input inside `input_tokens`; Anthropic reports the three parts apart. */
export function toResponseUsage(usage: RunUsage): ResponseUsage {
  const input = usage.inputTokens + usage.cacheReadInputTokens + usage.cacheCreationInputTokens;
  return {
    input_tokens: input,
    input_tokens_details: {
      cached_tokens: usage.cacheReadInputTokens,
      cache_write_tokens: usage.cacheCreationInputTokens,
    },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
    total_tokens: input + usage.outputTokens,
  };
}

/**
 * Claude Code takes no sampling settings, so a run always samples with the Messages API's defaults,
 * whatever the request asked: these are the values in effect a response reports.
 */
const SAMPLING_IN_EFFECT = {
  temperature: 1,
  top_p: 1,
  presence_penalty: 0,
  frequency_penalty: 0,
  top_logprobs: 0,
} as const;

/** What a response echoes of its request: the settings as the gateway applied them. */
export function echoSettings(request: ResponsesRequest): ResponseSettings {
  const tools = (request.tools ?? []).flatMap((tool) =>
    tool.type === 'function'
      ? [
          {
            type: 'function' as const,
            name: tool.name,
            description: tool.description ?? null,
            parameters: tool.parameters ?? null,
            strict: tool.strict ?? null,
          },
        ]
      : [],
  );
  return {
    model: request.model,
    instructions: request.instructions ?? null,
    tools,
    tool_choice: request.tool_choice ?? 'auto',
    parallel_tool_calls: request.parallel_tool_calls !== false,
    text: { format: request.text?.format ?? { type: 'text' } },
    reasoning: request.reasoning
      ? {
          effort: request.reasoning.effort ?? null,
          summary: request.reasoning.summary ?? request.reasoning.generate_summary ?? null,
        }
      : null,
    max_output_tokens: request.max_output_tokens ?? null,
    max_tool_calls: request.max_tool_calls ?? null,
    previous_response_id: request.previous_response_id ?? null,
    store: request.store !== false,
    background: request.background === true,
    metadata: request.metadata ?? {},
    ...SAMPLING_IN_EFFECT,
    truncation: request.truncation === 'auto' ? 'auto' : 'disabled',
    service_tier: 'default',
    user: request.user ?? null,
    safety_identifier: request.safety_identifier ?? null,
    prompt_cache_key: request.prompt_cache_key ?? null,
  };
}
