import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { runSignal } from './run-signal.js';

describe('a run signal', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('aborts at the time limit, and says so', () => {
    const client = new AbortController();
    const run = runSignal([client.signal], 1_000);
    vi.advanceTimersByTime(999);
    expect(run.signal.aborted).toBe(false);
    vi.advanceTimersByTime(1);
    expect(run.signal.aborted).toBe(true);
    expect(run.timedOut()).toBe(true);
    expect((run.signal.reason as DOMException).name).toBe('TimeoutError');
  });

  it('aborts with a source, with its reason, and its time limit no longer runs', () => {
    const client = new AbortController();
    const stopping = new AbortController();
    const run = runSignal([client.signal, undefined, stopping.signal], 1_000);
    stopping.abort(new Error('gateway stopping'));
    expect(run.signal.aborted).toBe(true);
    expect((run.signal.reason as Error).message).toBe('gateway stopping');
    expect(vi.getTimerCount()).toBe(0);
    vi.advanceTimersByTime(5_000);
    expect(run.timedOut()).toBe(false);
  });

  it('starts aborted when a source already is', () => {
    const client = new AbortController();
    client.abort('gone');
    const stopping = new AbortController();
    const run = runSignal([client.signal, stopping.signal], 1_000);
    expect(run.signal.aborted).toBe(true);
    expect(run.signal.reason).toBe('gone');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('leaves nothing behind once disposed: no timer, no listener on a lifelong source', () => {
    const stopping = new AbortController();
    const added = vi.spyOn(stopping.signal, 'addEventListener');
    const removed = vi.spyOn(stopping.signal, 'removeEventListener');
    const run = runSignal([stopping.signal], 1_000);
    run.dispose();
    expect(vi.getTimerCount()).toBe(0);
    expect(removed.mock.calls.map((call) => call[1])).toEqual(added.mock.calls.map((call) => call[1]));
    stopping.abort();
    expect(run.signal.aborted).toBe(false);
  });

  it('keeps a time limit longer than a timer can hold instead of firing at once', () => {
    const run = runSignal([], 2 ** 40);
    vi.advanceTimersByTime(60_000);
    expect(run.signal.aborted).toBe(false);
    run.dispose();
    const unlimited = runSignal([], Number.POSITIVE_INFINITY);
    expect(vi.getTimerCount()).toBe(0);
    unlimited.dispose();
  });
});
