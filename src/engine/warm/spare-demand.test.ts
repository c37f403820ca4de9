import { describe, expect, it } from 'vitest';
import { SpareDemand } from './spare-demand.js';

function clock() {
  let now = 0;
  return {
    now: () => now,
    advance(ms: number) {
      now += ms;
    },
  };
}

/** Arrivals every `everyMs`, each run holding its spare for `holdMs`, spares starting in `startMs`. */
function traffic(demand: SpareDemand, time: ReturnType<typeof clock>, count: number, everyMs: number) {
  for (let i = 0; i < count; i += 1) {
    demand.noteArrival();
    demand.noteTaken();
    time.advance(everyMs);
  }
}

describe('spare demand', () => {
  it('is busy only while the arrivals need more spares than the minimum', () => {
    const time = clock();
    const demand = new SpareDemand({ min: 1, max: 4, windowMs: 10_000, initialLagMs: 1_500, now: time.now });
    expect(demand.busy()).toBe(false);
    demand.noteArrival();
    time.advance(3_000);
    demand.noteArrival();
    // Two arrivals 3 s apart: one spare, returned within 1.5 s, meets both.
    expect(demand.busy()).toBe(false);
    traffic(demand, time, 4, 500);
    expect(demand.busy()).toBe(true);
    // Quiet for a whole window: back to the minimum.
    time.advance(10_000);
    expect(demand.busy()).toBe(false);
  });

  it('calls the traffic sustained when the latest arrivals came closer than a spare takes to return', () => {
    const time = clock();
    // One spare: so a one-spare pool (never busy) still knows when its refill is the next arrival's.
    const demand = new SpareDemand({ min: 1, max: 1, windowMs: 60_000, initialLagMs: 1_500, now: time.now });
    expect(demand.sustained()).toBe(false);
    demand.noteArrival();
    expect(demand.sustained()).toBe(false);
    time.advance(2_000);
    demand.noteArrival();
    // 2 s apart: the used spare is back (1.5 s) before the next arrival.
    expect(demand.sustained()).toBe(false);
    time.advance(500);
    demand.noteArrival();
    // 500 ms apart, in a window of a minute whose average rate alone would say one a minute is plenty.
    expect(demand.sustained()).toBe(true);
    expect(demand.busy()).toBe(false);
    time.advance(1_600);
    demand.noteArrival();
    expect(demand.sustained()).toBe(false);
  });

  it('keeps the minimum while nothing arrives', () => {
    const time = clock();
    const demand = new SpareDemand({ min: 1, max: 4, now: time.now });
    expect(demand.target()).toBe(1);
    expect(new SpareDemand({ min: 0, max: 4, now: time.now }).target()).toBe(0);
  });

  it('grows with the arrival rate times the time a used spare takes to come back', () => {
    const time = clock();
    // Arrivals every 500 ms, each run holding its spare for 1 s, spares starting in 500 ms: a used
    // spare is back after 1.5 s, and 2 arrivals a second need 3 spares.
    const busy = new SpareDemand({ min: 1, max: 8, windowMs: 10_000, now: time.now });
    busy.noteStarted(500);
    for (let i = 0; i < 20; i += 1) {
      busy.noteArrival();
      busy.noteTaken();
      time.advance(1_000);
      busy.noteReleased();
      time.advance(-500);
    }
    expect(busy.lagMs()).toBe(1_500);
    expect(busy.target()).toBe(3);
  });

  it('covers a burst: arrivals that come together each need a spare, whatever the mean rate', () => {
    const time = clock();
    const demand = new SpareDemand({ min: 1, max: 4, windowMs: 10_000, initialLagMs: 700, now: time.now });
    // Three requests at once, then quiet: 0.3 a second on average (one spare by the mean alone).
    for (let i = 0; i < 3; i += 1) demand.noteArrival();
    time.advance(5_000);
    expect(demand.target()).toBe(3);
    // Spread out by more than a lag, the same arrivals need one.
    const spread = new SpareDemand({ min: 1, max: 4, windowMs: 10_000, initialLagMs: 700, now: time.now });
    for (let i = 0; i < 3; i += 1) {
      spread.noteArrival();
      time.advance(1_000);
    }
    expect(spread.target()).toBe(1);
    // Once the burst ages out of the window, back to the minimum.
    time.advance(10_000);
    expect(demand.target()).toBe(1);
  });

  it('never goes above the maximum, and falls back to the minimum once arrivals age out', () => {
    const time = clock();
    const demand = new SpareDemand({ min: 1, max: 2, windowMs: 10_000, now: time.now });
    demand.noteStarted(2_000);
    traffic(demand, time, 50, 100);
    expect(demand.target()).toBe(2);
    time.advance(10_000);
    expect(demand.target()).toBe(1);
  });

  it('is off when its maximum is 0', () => {
    const demand = new SpareDemand({ min: 0, max: 0 });
    expect(demand.enabled).toBe(false);
    expect(new SpareDemand({ min: 0, max: 1 }).enabled).toBe(true);
  });
});
