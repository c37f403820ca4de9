import { randomUUID } from 'node:crypto';
import { clientToolNameOf } from '../claude/client-tools.js';
import type { ClaudeRunner } from '../claude/runner.js';
import type { ChatCompletionRequest } from '../openai/chat-request.js';
import type { ChatCompletion, ChatCompletionChunk, CompletionUsage } from '../openai/chat-response.js';
import type { GatewayError } from '../openai/errors.js';
import type { RunQueue } from '../queue/run-queue.js';
import { foldChunks } from '../translate/fold-chunks.js';
import { mapRunFailure } from '../translate/map-run-failure.js';
import { type ToClaudeContext, toRunPlan } from '../translate/to-claude.js';
import {
  createTranslatorState,
  finishTranslation,
  type TranslatorOutput,
  translateMessage,
} from '../translate/to-openai.js';

export interface ChatServiceDeps {
  runner: ClaudeRunner;
  queue: RunQueue;
  planContext: ToClaudeContext;
  requestTimeoutMs: number;
  newId?: () => string;
  now?: () => number;
}

/** What one run cost and how it went; reported once per run that reached Claude Code. */
export interface RunSummary {
  model: string;
  outcome: 'ok' | 'error';
  /** OpenAI status of the failure, when outcome is 'error'. */
  errorStatus?: number;
  errorCode?: string | null;
  usage?: CompletionUsage;
  costUsd: number;
  durationMs: number;
  /** From the start of the run (after the queue) to the first chunk the client gets. */
  timeToFirstChunkMs?: number;
  queueWaitMs: number;
}

export interface RunHooks {
  onSummary?: (summary: RunSummary) => void;
}

export interface ChatService {
  /** Plans first (4xx before anything starts), then streams the run; errors end the sequence. */
  stream(
    request: ChatCompletionRequest,
    signal: AbortSignal,
    hooks?: RunHooks,
  ): AsyncGenerator<TranslatorOutput, void, undefined>;
  complete(request: ChatCompletionRequest, signal: AbortSignal, hooks?: RunHooks): Promise<ChatCompletion>;
}

export function createChatService(deps: ChatServiceDeps): ChatService {
  const newId = deps.newId ?? (() => `chatcmpl-${randomUUID().replaceAll('-', '')}`);
  const now = deps.now ?? Date.now;

  async function* run(
    request: ChatCompletionRequest,
    signal: AbortSignal,
    includeUsage: boolean,
    hooks: RunHooks | undefined,
  ): AsyncGenerator<TranslatorOutput, void, undefined> {
    const plan = toRunPlan(request, deps.planContext);
    const timeout = AbortSignal.timeout(deps.requestTimeoutMs);
    const runSignal = AbortSignal.any([signal, timeout]);
    const queuedAt = performance.now();
    const lease = await deps.queue.acquire(runSignal);
    const startedAt = performance.now();
    const summary: RunSummary = {
      model: plan.model,
      outcome: 'ok',
      costUsd: 0,
      durationMs: 0,
      queueWaitMs: startedAt - queuedAt,
    };
    const state = createTranslatorState({
      id: newId(),
      created: Math.floor(now() / 1000),
      model: request.model,
      includeUsage,
      clientToolName: clientToolNameOf,
      structuredOutput: plan.outputSchema !== undefined,
    });
    const observe = (output: TranslatorOutput): TranslatorOutput => {
      if (output.kind === 'error') {
        summary.outcome = 'error';
        summary.errorStatus = output.error.status;
        summary.errorCode = output.error.code;
      } else {
        summary.timeToFirstChunkMs ??= performance.now() - startedAt;
        if (output.chunk.usage) summary.usage = output.chunk.usage;
      }
      return output;
    };
    try {
      for await (const message of deps.runner.run(plan, runSignal)) {
        if (message.type === 'result') summary.costUsd = message.total_cost_usd ?? 0;
        yield* translateMessage(state, message).map(observe);
        // The translator decides when the answer is complete (it may end before Claude Code would).
        if (state.finished) return;
      }
      yield* finishTranslation(state).map(observe);
    } catch (error) {
      yield observe({ kind: 'error', error: mapRunFailure(error, timeout.aborted && !signal.aborted) });
    } finally {
      lease.release();
      summary.durationMs = performance.now() - startedAt;
      hooks?.onSummary?.(summary);
    }
  }

  return {
    stream(request, signal, hooks) {
      return run(request, signal, request.stream_options?.include_usage === true, hooks);
    },
    async complete(request, signal, hooks) {
      const chunks: ChatCompletionChunk[] = [];
      for await (const output of run(request, signal, true, hooks)) {
        if (output.kind === 'error') throw output.error satisfies GatewayError;
        chunks.push(output.chunk);
      }
      return foldChunks(chunks);
    },
  };
}
