/**
 * One Responses API request end to end, wire-agnostic about HTTP: the stored chain is loaded, the
 * plan built and run, the run's events encoded; a finished response is stored. A background
 * response is handed to background.ts, which runs it detached. The route only adapts this to Hono
 * (status, headers, SSE).
 */
import { randomUUID } from 'node:crypto';
import type { RequestsPerMinuteStanding } from '../../../contract/admission.js';
import type { BackgroundRunHooks } from '../../../contract/finished-request.js';
import type { GatewayError } from '../../../contract/gateway-error.js';
import type { ResponsesStore } from '../../../contract/ports/responses.js';
import type { SystemPromptPlacement } from '../../../contract/run-plan.js';
import type { RunService } from '../../../contract/run-service.js';
import type { AttachmentLimits } from '../../../core/content/attachment-blocks.js';
import { type RunCall, type RunEvents, serveRun, startRun } from '../../../core/serve-run.js';
import type { TokenCounter } from '../../../core/tokens/token-counter.js';
import type { BackgroundResponses } from './background.js';
import { createEncoderState, type EncoderState, encodeEvent, startResponse } from './encode-stream.js';
import { echoSettings, type ResponseObject, type ResponseStreamEvent } from './response-object.js';
import type { ResponsesRequest } from './schema.js';
import { itemIdFor, loadChainItems, resolveItemReferences, toStoredResponse } from './stored-chain.js';
import { type ResponsesPlan, toPlan } from './to-plan.js';

export interface ResponsesDeps {
  runs: RunService;
  store: ResponsesStore;
  /** Runs background responses detached and follows their logs. */
  background: BackgroundResponses;
  /** Counts text for POST /responses/input_tokens. */
  countTokens: TokenCounter;
  resolveModel(model: string): string | undefined;
  systemPromptPlacement: SystemPromptPlacement;
  attachments: AttachmentLimits;
  /** How long a stored response (and the Claude Code session behind it) stays continuable. */
  ttlMs: number;
  keepAliveMs: number;
  /** Unix milliseconds. */
  now?: () => number;
  newId?: (prefix: string) => string;
  /** A response could not be stored (the answer is sent anyway); for the log. */
  onStoreError?: (error: unknown) => void;
  /** A background response's run (its request is answered at once): budget, audit, metrics. */
  backgroundRun?: BackgroundRunHooks;
}

export interface ResponseCall {
  request: ResponsesRequest;
  /** The owner of stored responses: the caller's key id (a fixed id where auth is off). */
  ownerId: string;
  /** Who runs it and the rest of what the run needs besides its plan. */
  run: Omit<RunCall<ResponsesPlan>, 'surface' | 'ask' | 'plan'>;
}

interface Started {
  planned: ResponsesPlan;
  /** The key's requests-per-minute standing with this run counted (for the rate-limit headers). */
  requestsPerMinute: RequestsPerMinuteStanding | undefined;
}

export interface StartedResponse extends Started {
  /** Every wire event of the response, `response.created` first. */
  events: AsyncGenerator<ResponseStreamEvent, void, undefined>;
  /** The error that ended the run after it began, once the events are consumed. */
  failure(): GatewayError | undefined;
}

export interface StartedBackgroundResponse extends Started {
  /** The response as stored at once: `queued`. Its events are in its log (background.ts). */
  response: ResponseObject;
}

const defaultNewId = (prefix: string) => `${prefix}_${randomUUID().replaceAll('-', '')}`;

/**
 * Plans and starts the run of a (foreground) response. A failure before the run's first event
 * (validation, unknown `previous_response_id`, admission, queue) is thrown, so it still gets a real
 * HTTP status.
 */
export async function startResponseRun(deps: ResponsesDeps, call: ResponseCall): Promise<StartedResponse> {
  const now = deps.now ?? Date.now;
  const { request, ownerId } = call;
  const { planned, events, requestsPerMinute } = await serveRun(deps.runs, runCallOf(deps, call));
  const state = newEncoderState(deps, request, planned);
  const store = async () => {
    if (request.store === false || state.response.status === 'failed') return;
    const record = toStoredResponse(state.response, planned.inputItems, ownerId, {
      now: now(),
      ttlMs: deps.ttlMs,
    });
    try {
      await deps.store.save(record);
      // Expired responses go as new ones come: no timer, and the table never outgrows the TTL.
      await deps.store.sweep(record.createdAt);
    } catch (error) {
      // The answer stands without it: continuing it by previous_response_id is then a 404, and
      // clients that resend their history (Codex, the Agents SDK) never needed it.
      deps.onStoreError?.(error);
    }
  };
  return {
    planned,
    events: encodeRun(state, events, store),
    failure: () => state.failure,
    requestsPerMinute,
  };
}

/**
 * A background response: admitted and planned now (refusals and bad requests are thrown), stored
 * `queued`, and run detached from the request: its own abort switch, its summary reported when it
 * ends, not when the request does.
 */
export async function startBackgroundRun(
  deps: ResponsesDeps,
  call: ResponseCall,
): Promise<StartedBackgroundResponse> {
  const now = deps.now ?? Date.now;
  const controller = new AbortController();
  const { principal, requestId } = call.run;
  const hooks = principal && deps.backgroundRun ? deps.backgroundRun(principal, requestId) : undefined;
  const { planned, events, requestsPerMinute } = await startRun(deps.runs, {
    ...runCallOf(deps, call),
    signal: controller.signal,
    onSummary: hooks?.onSummary,
    onStarted: hooks?.onStarted,
  });
  const state = newEncoderState(deps, call.request, planned);
  const record = toStoredResponse(state.response, planned.inputItems, call.ownerId, {
    now: now(),
    ttlMs: deps.ttlMs,
  });
  const response = structuredClone(state.response);
  // background.ts keeps the stored response current as its events come.
  await deps.background.start({ record, events: encodeRun(state, events, async () => {}), controller });
  return { planned, response, requestsPerMinute };
}

function runCallOf(deps: ResponsesDeps, call: ResponseCall): RunCall<ResponsesPlan> {
  return {
    ...call.run,
    surface: 'openai-responses',
    ask: { model: call.request.model },
    plan: () => planResponse(deps, call.request, call.ownerId),
  };
}

/** The chain of `previous_response_id`, the request's item references resolved, and the plan. */
async function planResponse(
  deps: ResponsesDeps,
  request: ResponsesRequest,
  ownerId: string,
): Promise<ResponsesPlan> {
  const now = (deps.now ?? Date.now)();
  const chainOptions = { now, ttlMs: deps.ttlMs };
  const previousItems = request.previous_response_id
    ? await loadChainItems(deps.store, request.previous_response_id, ownerId, chainOptions)
    : [];
  const input = Array.isArray(request.input)
    ? await resolveItemReferences(deps.store, request.input, ownerId, now)
    : request.input;
  return toPlan(
    { ...request, input },
    {
      resolveModel: deps.resolveModel,
      systemPromptPlacement: deps.systemPromptPlacement,
      attachments: deps.attachments,
      previousItems,
    },
  );
}

/** The encoder of a new response to `request`, planned as `planned`. */
export function newEncoderState(
  deps: Pick<ResponsesDeps, 'now' | 'newId'>,
  request: ResponsesRequest,
  planned: Pick<ResponsesPlan, 'compaction' | 'reasoningRequested'>,
): EncoderState {
  const now = deps.now ?? Date.now;
  const responseId = (deps.newId ?? defaultNewId)('resp');
  let items = 0;
  return createEncoderState({
    id: responseId,
    createdAt: Math.floor(now() / 1000),
    settings: echoSettings(request),
    reasoningRequested: planned.reasoningRequested,
    compaction: planned.compaction,
    includeEncryptedReasoning: (request.include ?? []).includes('reasoning.encrypted_content'),
    queued: request.background === true,
    newItemId: (prefix) => itemIdFor(responseId, prefix, ++items),
    now: () => Math.floor(now() / 1000),
  });
}

async function* encodeRun(
  state: EncoderState,
  events: RunEvents,
  onFinished: () => Promise<void>,
): AsyncGenerator<ResponseStreamEvent, void, undefined> {
  try {
    yield* startResponse(state);
    for await (const event of events) {
      const encoded = encodeEvent(state, event);
      // Stored before the terminal event goes out, so a client continuing at once finds it.
      if (event.type === 'finish') await onFinished();
      yield* encoded;
      if (state.ended) break;
    }
  } finally {
    await events.return();
  }
}
