import { describe, expect, it } from 'vitest';
import { TurnHolds } from './turn-holds.js';

describe('TurnHolds', () => {
  it('lets a session that is not held go at once', () => {
    expect(new TurnHolds().passage('s1')).toBeUndefined();
  });

  it('holds a session until the hold opens, then lets everything through', async () => {
    const holds = new TurnHolds();
    const hold = holds.hold('s1');
    const waiting = holds.passage('s1');
    expect(waiting).toBeDefined();
    expect(holds.passage('s2')).toBeUndefined();
    hold.open();
    await expect(waiting).resolves.toBe(true);
    expect(holds.passage('s1')).toBeUndefined();
  });

  it('turns away what waited when the hold is discarded, and opening it then changes nothing', async () => {
    const holds = new TurnHolds();
    const hold = holds.hold('s1');
    const waiting = holds.passage('s1');
    hold.discard();
    hold.open();
    await expect(waiting).resolves.toBe(false);
    expect(holds.passage('s1')).toBeUndefined();
  });

  it('discards a hold left on the session when a new one is taken, and only the new one governs it', async () => {
    const holds = new TurnHolds();
    const first = holds.hold('s1');
    const underFirst = holds.passage('s1');
    const second = holds.hold('s1');
    await expect(underFirst).resolves.toBe(false);
    const underSecond = holds.passage('s1');
    first.open();
    expect(holds.passage('s1')).toBe(underSecond);
    second.open();
    await expect(underSecond).resolves.toBe(true);
  });
});
