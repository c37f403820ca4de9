import { afterEach, describe, expect, it, vi } from 'vitest';
import { SpareDemand } from './spare-demand.js';
import { type SpareKind, type SpareSlot, SpareSlots } from './spare-slots.js';

interface FakeSlot extends SpareSlot {
  /** Moved back by tests that need one spare to have started earlier. */
  startedAt: number;
  pid: number;
  ready: boolean;
  template: string;
}

const silent = { debug: () => undefined, warn: () => undefined };

/** A kind whose spares are plain records: started not ready, made ready by the test. */
function fakeKind(oneStartAtATime: boolean) {
  const started: FakeSlot[] = [];
  const ended: FakeSlot[] = [];
  let nextPid = 100;
  const kind: SpareKind<string, FakeSlot> = {
    name: 'fake spares',
    start: (template, key) => {
      const slot: FakeSlot = {
        key,
        template,
        sessionId: `session-${nextPid}`,
        promised: false,
        startedAt: Date.now(),
        since: Date.now(),
        ended: false,
        pid: nextPid++,
        ready: false,
      };
      started.push(slot);
      return slot;
    },
    end: async (slot) => {
      ended.push(slot);
    },
    pid: (slot) => slot.pid,
    ready: (slot) => slot.ready,
    starting: (slot) => !slot.ready,
    usable: () => true,
    oneStartAtATime,
  };
  return { kind, started, ended };
}

function slots(
  kind: SpareKind<string, FakeSlot>,
  extra: { followFirstMiss?: boolean; spares?: number } = {},
) {
  const spares = extra.spares ?? 2;
  return new SpareSlots({
    kind,
    demand: new SpareDemand({ min: spares, max: spares }),
    hasRoomForIdle: () => true,
    followFirstMiss: extra.followFirstMiss ?? false,
    retryDelayMs: 1_000,
    counters: { used: 0, missed: 0, started: 0, failed: 0 },
    logger: silent,
  });
}

afterEach(() => {
  vi.useRealTimers();
});

describe('spare slots', () => {
  it('starts one spare at a time when the kind asks so, the next once the first is ready', async () => {
    const fake = fakeKind(true);
    const spares = slots(fake.kind);
    spares.prime('plain', 'plain chat');
    expect(fake.started).toHaveLength(1);

    const [first] = fake.started as [FakeSlot];
    first.ready = true;
    spares.becameReady(first);
    await new Promise((resolve) => setImmediate(resolve));

    expect(fake.started).toHaveLength(2);
    expect(spares.counters.started).toBe(2);
    await spares.close();
  });

  it('starts all it needs at once otherwise', async () => {
    const fake = fakeKind(false);
    const spares = slots(fake.kind);
    spares.prime('plain', 'plain chat');
    expect(fake.started).toHaveLength(2);
    await spares.close();
  });

  it('follows runs that keep missing: after a streak alike, ending the spares of the old template', async () => {
    const fake = fakeKind(false);
    const spares = slots(fake.kind);
    spares.prime('plain', 'plain chat');

    expect(spares.miss('tools', 'tools', 'chat with tools')).toBe(false);
    expect(spares.miss('tools', 'tools', 'chat with tools')).toBe(true);
    spares.fill();

    expect(spares.template).toEqual({ key: 'tools', value: 'chat with tools' });
    expect(fake.ended.map((slot) => slot.template)).toEqual(['plain chat', 'plain chat']);
    expect(fake.started.slice(2).map((slot) => slot.template)).toEqual([
      'chat with tools',
      'chat with tools',
    ]);
    await spares.close();
  });

  it('counts a streak only of misses alike, and a hit breaks it', () => {
    const spares = slots(fakeKind(false).kind);
    spares.prime('plain', 'plain chat');
    spares.miss('a', 'a', 'a');
    spares.miss('b', 'b', 'b');
    spares.hit();
    expect(spares.miss('b', 'b', 'b')).toBe(false);
    return spares.close();
  });

  it('takes the first miss’s template when it has none and the kind follows the first miss', async () => {
    const fake = fakeKind(false);
    const spares = slots(fake.kind, { followFirstMiss: true });
    expect(spares.miss('launch', 'launch', 'the first launch')).toBe(true);
    spares.fill();
    expect(fake.started.map((slot) => slot.template)).toEqual(['the first launch', 'the first launch']);
    await spares.close();
  });

  it('promises a ready spare’s session id before a starting one’s, and evicts promised spares last', async () => {
    const fake = fakeKind(false);
    const spares = slots(fake.kind);
    spares.prime('plain', 'plain chat');
    const [starting, ready] = fake.started as [FakeSlot, FakeSlot];
    // Each order alone would pick the other one: the starting spare started first, the ready one
    // has been idle longest.
    starting.startedAt -= 1_000;
    ready.ready = true;
    ready.since -= 2_000;

    expect(spares.promiseSessionId()).toBe(ready.sessionId);
    expect(spares.holdsSession(ready.sessionId as string)).toBe(true);
    await spares.evictOldest();

    expect(fake.ended).toEqual([starting]);
    await spares.close();
  });

  it('replaces a failed spare only after the backoff, and not one it ended itself', async () => {
    vi.useFakeTimers();
    const fake = fakeKind(false);
    const spares = slots(fake.kind, { spares: 1 });
    spares.prime('plain', 'plain chat');
    const [failing] = fake.started as [FakeSlot];

    spares.failed(failing, new Error('died'));
    spares.fill();
    expect(fake.started).toHaveLength(1);
    vi.advanceTimersByTime(1_000);

    expect(fake.started).toHaveLength(2);
    expect(spares.counters.failed).toBe(1);
    const [, replacement] = fake.started as [FakeSlot, FakeSlot];
    await spares.end(replacement);
    spares.failed(replacement, new Error('its start settled after it was ended'));
    expect(spares.counters.failed).toBe(1);
    await spares.close();
  });
});
