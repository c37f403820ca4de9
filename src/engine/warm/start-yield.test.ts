import { describe, expect, it } from 'vitest';
import { createStartYield } from './start-yield.js';

function setup(starting: number[]) {
  const sent: string[] = [];
  let resumed = 0;
  const startYield = createStartYield({
    sources: [{ startingPids: () => starting }],
    onResumed: () => {
      resumed += 1;
    },
    signal: (pid, signal) => sent.push(`${signal} ${pid}`),
  });
  return { startYield, sent, resumed: () => resumed };
}

describe('start yield', () => {
  it('stops starting spares while cold starts run, and continues them after the last one', () => {
    const { startYield, sent, resumed } = setup([11, 12]);
    const first = startYield.pause();
    const second = startYield.pause();
    expect(startYield.active).toBe(true);
    expect(sent).toEqual(['SIGSTOP 11', 'SIGSTOP 12']);
    first();
    first();
    expect(sent).toHaveLength(2);
    expect(resumed()).toBe(0);
    second();
    expect(sent).toEqual(['SIGSTOP 11', 'SIGSTOP 12', 'SIGCONT 11', 'SIGCONT 12']);
    expect(startYield.active).toBe(false);
    expect(resumed()).toBe(1);
  });

  it('continues a stopped spare at once when it is handed to a run', () => {
    const { startYield, sent } = setup([21]);
    const done = startYield.pause();
    startYield.release(21);
    startYield.release(99);
    expect(sent).toEqual(['SIGSTOP 21', 'SIGCONT 21']);
    done();
    expect(sent).toEqual(['SIGSTOP 21', 'SIGCONT 21']);
  });
});
