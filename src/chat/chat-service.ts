import { randomUUID } from 'node:crypto';
import { clientToolNameOf } from '../claude/client-tools.js';
import type { ClaudeRunner } from '../claude/runner.js';
import type { ChatCompletionRequest } from '../openai/chat-request.js';
import type { ChatCompletion, ChatCompletionChunk } from '../openai/chat-response.js';
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

export interface ChatService {
  /** Validates and plans synchronously (4xx before anything starts), then streams the run. */
  stream(
    request: ChatCompletionRequest,
    signal: AbortSignal,
  ): AsyncGenerator<TranslatorOutput, void, undefined>;
  complete(request: ChatCompletionRequest, signal: AbortSignal): Promise<ChatCompletion>;
}

export function createChatService(deps: ChatServiceDeps): ChatService {
  const newId = deps.newId ?? (() => `chatcmpl-${randomUUID().replaceAll('-', '')}`);
  const now = deps.now ?? Date.now;

  async function* run(
    request: ChatCompletionRequest,
    signal: AbortSignal,
    includeUsage: boolean,
  ): AsyncGenerator<TranslatorOutput, void, undefined> {
    const plan = toRunPlan(request, deps.planContext);
    const timeout = AbortSignal.timeout(deps.requestTimeoutMs);
    const runSignal = AbortSignal.any([signal, timeout]);
    const lease = await deps.queue.acquire(runSignal);
    const state = createTranslatorState({
      id: newId(),
      created: Math.floor(now() / 1000),
      model: request.model,
      includeUsage,
      clientToolName: clientToolNameOf,
      structuredOutput: plan.outputSchema !== undefined,
    });
    try {
      for await (const message of deps.runner.run(plan, runSignal)) {
        const outputs = translateMessage(state, message);
        yield* outputs;
        if (outputs.some((output) => output.kind === 'error')) return;
      }
      yield* finishTranslation(state);
    } catch (error) {
      yield { kind: 'error', error: mapRunFailure(error, timeout.aborted && !signal.aborted) };
    } finally {
      lease.release();
    }
  }

  return {
    stream(request, signal) {
      return run(request, signal, request.stream_options?.include_usage === true);
    },
    async complete(request, signal) {
      const chunks: ChatCompletionChunk[] = [];
      for await (const output of run(request, signal, true)) {
        if (output.kind === 'error') throw output.error satisfies GatewayError;
        chunks.push(output.chunk);
      }
      return foldChunks(chunks);
    },
  };
}
