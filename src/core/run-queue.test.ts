import { describe, expect, it, vi } from 'vitest';
import { GatewayError } from '../contract/gateway-error.js';
import { RunQueue } from './run-queue.js';

const never = new AbortController().signal;

async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof GatewayError)) throw new Error(`expected a GatewayError, got ${String(error)}`);
  return error;
}

describe('RunQueue', () => {
  it('grants a free slot at once, with no wait timer or abort listener left behind', async () => {
    vi.useFakeTimers();
    try {
      const queue = new RunQueue({ maxConcurrent: 2, maxWaiting: 1, waitTimeoutMs: 1_000 });
      const signal = new AbortController().signal;
      const added = vi.spyOn(signal, 'addEventListener');
      const lease = await queue.acquire(signal);
      expect(queue.running).toBe(1);
      expect(vi.getTimerCount()).toBe(0);
      expect(added).not.toHaveBeenCalled();
      lease.release();
      lease.release();
      await vi.runAllTimersAsync();
      expect(queue.running).toBe(0);
    } finally {
      vi.useRealTimers();
    }
  });

  it('holds a slot for as long as the lease, past the wait timeout', async () => {
    const queue = new RunQueue({ maxConcurrent: 1, maxWaiting: 1, waitTimeoutMs: 30 });
    const first = await queue.acquire(never);
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect(queue.running).toBe(1);
    const second = queue.acquire(never);
    expect((await rejection(second)).code).toBe('queue_timeout');
    first.release();
    await new Promise((resolve) => setImmediate(resolve));
    expect(queue.running).toBe(0);
  });

  it('hands the slot to the next waiter on release', async () => {
    const queue = new RunQueue({ maxConcurrent: 1, maxWaiting: 2, waitTimeoutMs: 1_000 });
    const first = await queue.acquire(never);
    const second = queue.acquire(never);
    expect(queue.waiting).toBe(1);
    first.release();
    const lease = await second;
    expect(queue.running).toBe(1);
    lease.release();
  });

  it('turns the request away with 429 and Retry-After when the wait queue is full', async () => {
    const queue = new RunQueue({ maxConcurrent: 1, maxWaiting: 1, waitTimeoutMs: 1_000 });
    const first = await queue.acquire(never);
    const waiting = queue.acquire(never);
    const error = await rejection(queue.acquire(never));
    expect(error).toMatchObject({ status: 429, code: 'queue_full' });
    expect(error.headers()['retry-after']).toBeDefined();
    first.release();
    (await waiting).release();
  });

  it('drops a waiter whose client went away', async () => {
    const queue = new RunQueue({ maxConcurrent: 1, maxWaiting: 1, waitTimeoutMs: 1_000 });
    const first = await queue.acquire(never);
    const client = new AbortController();
    const waiting = queue.acquire(client.signal);
    client.abort();
    expect((await rejection(waiting)).code).toBe('client_closed_request');
    expect(queue.waiting).toBe(0);
    first.release();
  });
});
