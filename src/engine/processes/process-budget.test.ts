import { describe, expect, it } from 'vitest';
import { createProcessBudget, type IdleProcesses } from './process-budget.js';

function holder(sinces: number[]): IdleProcesses & { evicted: number[] } {
  const idle = [...sinces];
  const evicted: number[] = [];
  return {
    evicted,
    get idleCount() {
      return idle.length;
    },
    oldestIdleSince: () => (idle.length > 0 ? Math.min(...idle) : undefined),
    async evictOldest() {
      const oldest = Math.min(...idle);
      idle.splice(idle.indexOf(oldest), 1);
      evicted.push(oldest);
    },
  };
}

describe('process budget', () => {
  it('lets idle processes use only slots no run holds or waits for', () => {
    const spares = holder([1]);
    let runs = { running: 2, waiting: 0 };
    const budget = createProcessBudget({ maxProcesses: 4, runs: () => runs, holders: [spares] });
    expect(budget.hasRoomForIdle()).toBe(true);
    runs = { running: 3, waiting: 0 };
    expect(budget.hasRoomForIdle()).toBe(false);
    runs = { running: 1, waiting: 1 };
    expect(budget.hasRoomForIdle()).toBe(false);
  });

  it('ends the longest-idle processes, across holders, until a starting run fits', async () => {
    const spares = holder([30]);
    const hot = holder([10, 20]);
    const budget = createProcessBudget({
      maxProcesses: 3,
      runs: () => ({ running: 2, waiting: 0 }),
      holders: [spares, hot],
    });
    await budget.makeRoomForRun();
    expect(hot.evicted).toEqual([10, 20]);
    expect(spares.evicted).toEqual([]);
  });

  it('ends nothing when the run fits', async () => {
    const spares = holder([5]);
    const budget = createProcessBudget({
      maxProcesses: 4,
      runs: () => ({ running: 2, waiting: 0 }),
      holders: [spares],
    });
    await budget.makeRoomForRun();
    expect(spares.evicted).toEqual([]);
  });

  it('makes no room for a run that will take an idle process promised to it', async () => {
    const spares = holder([5, 6]);
    let live = 4;
    // Three runs (this one among them) and two idle processes, one of which this run takes.
    const budget = createProcessBudget({
      maxProcesses: 4,
      runs: () => ({ running: 3, waiting: 0 }),
      holders: [spares],
      live: () => live,
    });
    await budget.makeRoomForRun(true);
    expect(spares.evicted).toEqual([]);
    live = 3;
    await budget.makeRoomForRun(false);
    expect(spares.evicted).toEqual([5]);
  });
});
