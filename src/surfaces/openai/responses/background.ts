/**
 * Background responses (`background: true`): runs detached from the request that started them.
 * Every event is logged in the store as it is produced and the stored response is kept current
 * (queued, in progress, then how it ended), so `GET /v1/responses/{id}` polls it and
 * `?stream=true&starting_after=N` resumes its stream, on this gateway or any other sharing the
 * database; a cancel reaches the run wherever it runs. As for tasks, a gateway that stops fails the
 * runs it holds, and one that starts fails those it left running when it died.
 */
import { invalidRequest } from '../../../contract/errors.js';
import type { LogSignals } from '../../../contract/ports/notifications.js';
import {
  type ResponsesStore,
  RUNNING_RESPONSE_STATUSES,
  type StoredResponse,
  type StoredResponseStatus,
} from '../../../contract/ports/responses.js';
import { followLog, type LiveListener } from '../../../core/follow-log.js';
import type { OutputItem, ResponseObject, ResponseStreamEvent } from './response-object.js';

export interface BackgroundDeps {
  store: ResponsesStore;
  /** On a shared database: cancels and live events reach every gateway. */
  signals?: LogSignals;
  /** Stop following a response another gateway runs after this long (it is bounded by the run timeout). */
  maxFollowMs: number;
  /** How long a cancel of a response running elsewhere waits for it to end (default 10 s). */
  remoteCancelWaitMs?: number;
  /** A write to the store failed (the run goes on); for the log. */
  onStoreError?: (error: unknown) => void;
  now?: () => number;
}

export interface DetachedResponse {
  /** As stored first: `queued`. */
  record: StoredResponse;
  /** The response's wire events, `response.created` first. */
  events: AsyncGenerator<ResponseStreamEvent, void, undefined>;
  /** Aborts the run (its signal). */
  controller: AbortController;
}

export interface BackgroundResponses {
  /** Stores the response, then runs it detached; resolves once it is stored. */
  start(response: DetachedResponse): Promise<void>;
  /**
   * The owner's response's events after `afterSeq`: its log, then live ones until it ends or
   * `signal` fires (the follower left; the run goes on).
   */
  follow(
    id: string,
    ownerId: string,
    afterSeq: number,
    signal?: AbortSignal,
  ): AsyncGenerator<ResponseStreamEvent>;
  /**
   * Cancels a background response, here or on the gateway running it, and returns it as it ended
   * (cancelling an ended one returns it as it is); a foreground response is a 400.
   */
  cancel(record: StoredResponse): Promise<StoredResponse>;
  /** Ends every response running here, recorded as failed with `reason` (the gateway is stopping). */
  stopAll(reason: string): Promise<void>;
  /** Fails the background responses this gateway left running when it stopped; returns how many. */
  failAbandoned(reason: string): Promise<number>;
}

interface Running {
  controller: AbortController;
  listeners: Set<LiveListener<ResponseStreamEvent>>;
  /** Set before the run is aborted: how its end is recorded. */
  stopped?: { status: 'cancelled' | 'failed'; message: string };
  done: Promise<void>;
}

const TERMINAL = new Set(['response.completed', 'response.incomplete', 'response.failed']);

export function createBackgroundResponses(deps: BackgroundDeps): BackgroundResponses {
  const { store } = deps;
  const now = deps.now ?? Date.now;
  const running = new Map<string, Running>();
  const remoteCancelWaitMs = deps.remoteCancelWaitMs ?? 10_000;
  const guarded = async (write: () => Promise<unknown>) => {
    try {
      await write();
    } catch (error) {
      deps.onStoreError?.(error);
    }
  };

  async function stopHere(entry: Running, stopped: NonNullable<Running['stopped']>): Promise<void> {
    entry.stopped ??= stopped;
    entry.controller.abort();
    await entry.done;
  }

  // Another gateway was asked to cancel a response: if it runs here, this gateway ends it.
  const stopListening = deps.signals?.onCancelRequested((id) => {
    const entry = running.get(id);
    if (entry) void stopHere(entry, { status: 'cancelled', message: 'The response was cancelled.' });
  });

  /** Follows the run to its end: logs and announces each event, keeps the stored object current. */
  async function pump(id: string, entry: Running, response: DetachedResponse): Promise<void> {
    let latest = response.record.response as ResponseObject;
    const done: OutputItem[] = [];
    let finished = false;
    try {
      for await (const event of response.events) {
        if (entry.stopped) break;
        await guarded(() => store.appendEvent(id, { seq: event.sequence_number, event }));
        for (const listener of entry.listeners) listener.entry(event);
        if (event.type === 'response.output_item.done') done[event.output_index] = event.item;
        if ('response' in event) {
          latest = event.response;
          await guarded(() => store.update(id, latest, latest.status));
        }
        if (TERMINAL.has(event.type)) {
          finished = true;
          return;
        }
      }
    } catch (error) {
      // Not a neutral error (those arrive as events): a bug, recorded so the response never stays running.
      entry.stopped ??= { status: 'failed', message: (error as Error).message || 'The response failed.' };
    } finally {
      await response.events.return();
      if (!finished) {
        const stopped = entry.stopped ?? {
          status: 'failed' as const,
          message: 'The run ended without an answer.',
        };
        const ended: ResponseObject = {
          ...latest,
          status: stopped.status,
          output: done.filter((item) => item !== undefined),
          error: stopped.status === 'failed' ? { code: 'server_error', message: stopped.message } : null,
        };
        await guarded(() => store.update(id, ended, ended.status));
      }
      running.delete(id);
      for (const listener of entry.listeners) listener.ended();
    }
  }

  /**
   * Asks the gateway running the response to cancel it and waits until the store says it ended,
   * asking again now and then (a signal is best effort). Past `remoteCancelWaitMs` (its gateway
   * died, or never heard) it is recorded as cancelled here: that gateway's later writes are refused.
   */
  async function cancelElsewhere(record: StoredResponse): Promise<void> {
    if (deps.signals) {
      const pollMs = 200;
      const rounds = Math.max(1, Math.ceil(remoteCancelWaitMs / pollMs));
      for (let round = 0; round < rounds; round++) {
        if (round % 10 === 0) await deps.signals.requestCancel(record.id);
        await new Promise((resolve) => setTimeout(resolve, pollMs));
        const current = await store.get(record.id, record.ownerId, now());
        if (!current || !isRunning(current.status)) return;
      }
    }
    const response = { ...(record.response as ResponseObject), status: 'cancelled' as const };
    await store.update(record.id, response, 'cancelled');
  }

  return {
    async start(response) {
      const { record } = response;
      await store.save(record);
      const entry: Running = {
        controller: response.controller,
        listeners: new Set(),
        done: Promise.resolve(),
      };
      running.set(record.id, entry);
      entry.done = pump(record.id, entry, response);
    },
    follow(id, ownerId, afterSeq, signal) {
      return followLog<ResponseStreamEvent>(
        {
          // Only this surface writes the log: its entries are the events it streamed.
          read: async (after) =>
            (await store.events(id, after)).map((logged) => logged.event as ResponseStreamEvent),
          seqOf: (event) => event.sequence_number,
          subscribe: (listener) => {
            const entry = running.get(id);
            if (!entry) return undefined;
            entry.listeners.add(listener);
            return () => entry.listeners.delete(listener);
          },
          isLast: (event) => TERMINAL.has(event.type),
          hasEnded: async () => {
            const current = await store.get(id, ownerId, now());
            return !current || !isRunning(current.status);
          },
          ...(deps.signals
            ? {
                onAppended: (listener: () => void) =>
                  deps.signals?.onAppended((appendedTo) => {
                    if (appendedTo === id) listener();
                  }) ?? (() => {}),
              }
            : {}),
          maxFollowMs: deps.maxFollowMs,
        },
        afterSeq,
        signal,
      );
    },
    async cancel(record) {
      if (!record.background) {
        throw invalidRequest('Cannot cancel a synchronous response.', null, 'response_not_cancellable');
      }
      if (isRunning(record.status)) {
        const entry = running.get(record.id);
        if (entry) await stopHere(entry, { status: 'cancelled', message: 'The response was cancelled.' });
        else await cancelElsewhere(record);
      }
      return (await store.get(record.id, record.ownerId, now())) ?? record;
    },
    async stopAll(reason) {
      stopListening?.();
      const entries = [...running.values()];
      await Promise.allSettled(
        entries.map((entry) => stopHere(entry, { status: 'failed', message: reason })),
      );
    },
    async failAbandoned(reason) {
      const abandoned = await store.running();
      for (const record of abandoned) {
        const response = {
          ...(record.response as ResponseObject),
          status: 'failed' as const,
          error: { code: 'server_error', message: reason },
        };
        await store.update(record.id, response, 'failed');
      }
      return abandoned.length;
    },
  };
}

function isRunning(status: StoredResponseStatus): boolean {
  return RUNNING_RESPONSE_STATUSES.includes(status);
}
