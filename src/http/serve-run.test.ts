import { describe, expect, it } from 'vitest';
import { serverTimingOf } from './serve-run.js';

describe('serverTimingOf', () => {
  it("splits the time to the first event into the gateway's part and Claude Code's", () => {
    expect(serverTimingOf(100, { turnSentAt: 103.14, firstEventAt: 140.26 })).toBe(
      'gateway;dur=3.1, claude;dur=37.1',
    );
  });

  it('says nothing of a run that never reached Claude Code or never answered', () => {
    expect(serverTimingOf(100, { firstEventAt: 140 })).toBeUndefined();
    expect(serverTimingOf(100, { turnSentAt: 103 })).toBeUndefined();
    expect(serverTimingOf(undefined, { turnSentAt: 103, firstEventAt: 140 })).toBeUndefined();
  });
});
