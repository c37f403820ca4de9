import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eventually, isAlive, useHarness } from '../helpers/gateway-harness.js';

const MAX_CONCURRENCY = 3;
const h = useHarness({
  config: {
    WARM_SPARES: '1',
    WARM_SPARES_MAX: '3',
    // Longer than a wave of runs takes on a loaded machine, short enough to see the pool shrink.
    WARM_SPARES_WINDOW_MS: '10000',
    WARM_OPEN_SPARES: 'false',
    MAX_CONCURRENCY: String(MAX_CONCURRENCY),
    AUTH_DISABLED: 'true',
    SESSION_MAX_COUNT: '0',
    HOT_SESSIONS_MAX: '0',
  },
});

const pool = () => h.gateway.warm.pool;

/** The most Claude Code processes alive at once while the test ran, sampled. */
let peak = 0;
let sampler: NodeJS.Timeout | undefined;
beforeEach(() => {
  peak = 0;
  sampler = setInterval(() => {
    peak = Math.max(peak, h.gateway.processes.liveCount);
  }, 10);
});
afterEach(() => clearInterval(sampler));

async function ask(content: string): Promise<void> {
  const completion = await h.openai.chat.completions.create({
    model: 'sonnet',
    messages: [{ role: 'user', content }],
  });
  expect(completion.choices[0]?.message.content).toContain(content);
}

describe('adaptive spares', () => {
  // Waits out the 10 s window by design (15 s on an idle machine); its own waits are bounded
  // (30 + 30 + 60 + 10 s), and the test's timeout covers them rather than cutting one short.
  it('grows with the arrivals, within the process budget, and shrinks when they stop', {
    timeout: 150_000,
  }, async () => {
    expect(await eventually(() => pool().readyCount === 1, 30_000)).toBe(true);
    const quiet = pool().counters.started;

    // Waves of requests inside the window: more arrivals than one spare can cover (12 in ~10 s
    // need two spares as soon as a used one takes a second to come back).
    for (const wave of ['one', 'two', 'three', 'four']) {
      await Promise.all([ask(`wave ${wave} a`), ask(`wave ${wave} b`), ask(`wave ${wave} c`)]);
    }

    expect(await eventually(() => pool().size >= 2, 30_000)).toBe(true);
    expect(pool().counters.started).toBeGreaterThanOrEqual(quiet + 2);
    const grown = pool().livePids();
    // Shrinks back to WARM_SPARES once the arrivals have aged out of the window.
    expect(await eventually(() => pool().size === 1 && pool().readyCount === 1, 60_000)).toBe(true);
    // The surplus processes are ended, not just forgotten: one Claude Code process is left in all
    // (the kept spare, which may be a replacement started since), at most one of the grown ones.
    expect(
      await eventually(
        () => h.gateway.processes.liveCount === 1 && grown.filter(isAlive).length <= 1,
        10_000,
      ),
    ).toBe(true);
    expect(peak).toBeLessThanOrEqual(MAX_CONCURRENCY);
    expect(peak).toBeGreaterThanOrEqual(2);
  });

  it('leaves no process behind on shutdown', async () => {
    expect(await eventually(() => pool().readyCount >= 1, 30_000)).toBe(true);
    await Promise.all([ask('burst a'), ask('burst b')]);
    const pids = h.gateway.processes.livePids();

    await h.gateway.shutdown();

    expect(pids.filter(isAlive)).toEqual([]);
    expect(h.gateway.processes.livePids()).toEqual([]);
    expect(peak).toBeLessThanOrEqual(MAX_CONCURRENCY);
  });
});
