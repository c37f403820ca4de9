import PQueue from 'p-queue';
import { GatewayError } from '../contract/gateway-error.js';

export interface RunQueueOptions {
  /** Live Claude Code processes at most; each is CPU-heavy at start and holds ~300 MB. */
  maxConcurrent: number;
  /** Requests allowed to wait for a slot; one more is turned away with 429. */
  maxWaiting: number;
  /** How long a request may wait for a slot before it gets 503. */
  waitTimeoutMs: number;
}

export interface Lease {
  release(): void;
}

/**
 * Hands out leases on Claude Code process slots. p-queue does the ordering and the concurrency
 * bound; a lease holds its slot until released, so the slot lives as long as the run, not the call.
 */
export class RunQueue {
  readonly #queue: PQueue;
  readonly #options: RunQueueOptions;

  constructor(options: RunQueueOptions) {
    this.#options = options;
    this.#queue = new PQueue({ concurrency: options.maxConcurrent });
  }

  get running(): number {
    return this.#queue.pending;
  }

  get waiting(): number {
    return this.#queue.size;
  }

  get limits(): Readonly<RunQueueOptions> {
    return this.#options;
  }

  /** Calls `listener` whenever a lease is released (a slot may now be free for idle processes). */
  onSlotFreed(listener: () => void): void {
    this.#queue.on('next', listener);
  }

  async acquire(signal: AbortSignal): Promise<Lease> {
    if (this.#queue.pending >= this.#options.maxConcurrent && this.#queue.size >= this.#options.maxWaiting) {
      throw new GatewayError({
        status: 429,
        kind: 'rate_limited',
        code: 'queue_full',
        message: 'The gateway is at capacity and its wait queue is full; retry shortly.',
        retryAfterSeconds: 2,
      });
    }
    // A free slot and nobody waiting: p-queue starts the task within `add`, so there is no wait to
    // time out or abort (a timer and listeners per run, on the way to the first token).
    if (this.#queue.pending < this.#options.maxConcurrent && this.#queue.size === 0 && !signal.aborted) {
      return new Promise<Lease>((resolveLease, rejectLease) => {
        this.#queue
          .add(() => new Promise<void>((releaseSlot) => resolveLease(slotLease(releaseSlot))))
          .catch(rejectLease);
      });
    }
    // p-queue also honours the signal while the task runs (it would free the slot mid-run), so
    // this signal may only ever fire during the wait.
    const waitAbort = new AbortController();
    let started = false;
    let timedOut = false;
    const stopWaiting = () => {
      if (!started) waitAbort.abort();
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stopWaiting();
    }, this.#options.waitTimeoutMs);
    signal.addEventListener('abort', stopWaiting, { once: true });
    const leave = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', stopWaiting);
    };
    if (signal.aborted) stopWaiting();
    return new Promise<Lease>((resolveLease, rejectLease) => {
      this.#queue
        .add(
          () =>
            new Promise<void>((releaseSlot) => {
              started = true;
              leave();
              resolveLease(slotLease(releaseSlot));
            }),
          { signal: waitAbort.signal },
        )
        .catch(() => {
          leave();
          rejectLease(timedOut ? this.#timeoutError() : clientGone());
        });
    });
  }

  #timeoutError(): GatewayError {
    return new GatewayError({
      status: 503,
      kind: 'unavailable',
      code: 'queue_timeout',
      message: `No Claude Code slot became free within ${this.#options.waitTimeoutMs} ms.`,
      retryAfterSeconds: 2,
    });
  }
}

/** A lease that frees its slot once, however often it is released. */
function slotLease(releaseSlot: () => void): Lease {
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      releaseSlot();
    },
  };
}

function clientGone(): GatewayError {
  return new GatewayError({
    status: 499,
    kind: 'invalid_request',
    code: 'client_closed_request',
    message: 'The client went away while waiting.',
  });
}
