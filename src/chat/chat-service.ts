import { randomUUID } from 'node:crypto';
import { describeToolResult, describeToolUse } from '../agent/describe-activity.js';
import { clientToolNameOf, maxClientToolCalls } from '../claude/client-tools.js';
import type { RunPlan } from '../claude/run-plan.js';
import type { ClaudeRunner } from '../claude/runner.js';
import type { RemoteImageResolver } from '../images/resolve-remote-images.js';
import type { ChatCompletionRequest } from '../openai/chat-request.js';
import type { ChatCompletion, ChatCompletionChunk, CompletionUsage } from '../openai/chat-response.js';
import type { GatewayError } from '../openai/errors.js';
import type { RunQueue } from '../queue/run-queue.js';
import type { ConversationIndex, ConversationOrigin } from '../sessions/session-store.js';
import { type RunSessionTracker, trackRunSession } from '../sessions/track-run.js';
import { foldChunks } from '../translate/fold-chunks.js';
import { mapRunFailure } from '../translate/map-run-failure.js';
import { stopSequencesOf } from '../translate/stop-sequences.js';
import { type ToClaudeContext, toRunPlan } from '../translate/to-claude.js';
import {
  type ClaudeUsage,
  createTranslatorState,
  finishTranslation,
  mapUsage,
  streamedUsage,
  type TranslatorOutput,
  translateMessage,
} from '../translate/to-openai.js';
import { estimateCostUsd } from './estimate-cost.js';

export interface ChatServiceDeps {
  runner: ClaudeRunner;
  queue: RunQueue;
  planContext: ToClaudeContext;
  requestTimeoutMs: number;
  /** Tracks conversations so a continued one resumes its Claude Code session; absent: every run rebuilds. */
  sessions?: ConversationIndex;
  /** Fetches http(s) images of a plan (REMOTE_IMAGES); absent when remote images are off. */
  resolveRemoteImages?: RemoteImageResolver;
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
  /** True when Claude Code did not report the cost (the answer ended early) and it was estimated. */
  costEstimated?: boolean;
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
    origin?: ConversationOrigin,
  ): AsyncGenerator<TranslatorOutput, void, undefined>;
  complete(
    request: ChatCompletionRequest,
    signal: AbortSignal,
    hooks?: RunHooks,
    origin?: ConversationOrigin,
  ): Promise<ChatCompletion>;
}

export function createChatService(deps: ChatServiceDeps): ChatService {
  const newId = deps.newId ?? (() => `chatcmpl-${randomUUID().replaceAll('-', '')}`);
  const now = deps.now ?? Date.now;

  async function* run(
    request: ChatCompletionRequest,
    signal: AbortSignal,
    includeUsage: boolean,
    hooks: RunHooks | undefined,
    origin: ConversationOrigin | undefined,
  ): AsyncGenerator<TranslatorOutput, void, undefined> {
    const planned = toRunPlan(request, deps.planContext);
    // The session is looked up before images are fetched: fingerprints cover what the client sent.
    const endUser = typeof request.user === 'string' && request.user !== '' ? request.user : undefined;
    const claim = await deps.sessions?.begin(planned, { ...origin, ...(endUser ? { endUser } : {}) });
    if (claim) planned.session = claim.session;
    const tracker = claim ? trackRunSession(claim, planned) : undefined;
    try {
      const plan = deps.resolveRemoteImages
        ? await deps.resolveRemoteImages(planned, request, signal)
        : planned;
      yield* execute(plan, request, signal, includeUsage, hooks, tracker);
    } finally {
      await tracker?.settle();
    }
  }

  async function* execute(
    plan: RunPlan,
    request: ChatCompletionRequest,
    signal: AbortSignal,
    includeUsage: boolean,
    hooks: RunHooks | undefined,
    tracker: RunSessionTracker | undefined,
  ): AsyncGenerator<TranslatorOutput, void, undefined> {
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
      maxToolCalls: maxClientToolCalls(plan.clientToolPolicy),
      structuredOutput: plan.outputSchema !== undefined,
      stopSequences: stopSequencesOf(request.stop),
      ...(plan.agent
        ? { describeAgentToolUse: describeToolUse, describeAgentToolResult: describeToolResult }
        : {}),
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
      tracker?.observe(output);
      return output;
    };
    let costReported = false;
    try {
      tracker?.started();
      for await (const message of deps.runner.run(plan, runSignal)) {
        if (message.type === 'result') {
          summary.costUsd = message.total_cost_usd ?? 0;
          costReported = true;
          if (!message.is_error) tracker?.finishedTurn();
        }
        yield* translateMessage(state, message).map(observe);
        // The translator decides when the answer is complete (it may end before Claude Code would).
        if (state.finished) return;
      }
      yield* finishTranslation(state).map(observe);
    } catch (error) {
      yield observe({ kind: 'error', error: mapRunFailure(error, timeout.aborted && !signal.aborted) });
    } finally {
      lease.release();
      if (!costReported) chargeStreamedUsage(summary, plan.model, streamedUsage(state));
      summary.durationMs = performance.now() - startedAt;
      hooks?.onSummary?.(summary);
    }
  }

  return {
    stream(request, signal, hooks, origin) {
      return run(request, signal, request.stream_options?.include_usage === true, hooks, origin);
    },
    async complete(request, signal, hooks, origin) {
      const chunks: ChatCompletionChunk[] = [];
      for await (const output of run(request, signal, true, hooks, origin)) {
        if (output.kind === 'error') throw output.error satisfies GatewayError;
        chunks.push(output.chunk);
      }
      return foldChunks(chunks);
    },
  };
}

/** An answer the gateway ended early still cost what was streamed; budgets must see it. */
function chargeStreamedUsage(summary: RunSummary, model: string, usage: ClaudeUsage | undefined): void {
  if (!usage) return;
  summary.costUsd = estimateCostUsd(model, usage);
  summary.costEstimated = true;
  summary.usage ??= mapUsage(usage);
}
