import { describe, expect, it } from 'vitest';
import { waitForDatabase } from './wait-for-database.js';

const failure = (code: string) => Object.assign(new Error(code), { code });

/** A probe that fails with `errors` in turn, then answers; counts its calls. */
function probeFailing(...errors: Error[]) {
  let calls = 0;
  return {
    calls: () => calls,
    probe: async () => {
      const error = errors[calls++];
      if (error) throw error;
    },
  };
}

describe('waitForDatabase', () => {
  it('retries a database that is still starting until it answers', async () => {
    const db = probeFailing(failure('ECONNREFUSED'), failure('57P03'), failure('ENOTFOUND'));
    const retried: unknown[] = [];
    await waitForDatabase(db.probe, { waitMs: 10_000, retryEveryMs: 1, onRetry: (e) => retried.push(e) });
    expect(db.calls()).toBe(4);
    expect(retried).toHaveLength(3);
  });

  it('gives up at once on a refusal waiting does not cure (wrong password)', async () => {
    const db = probeFailing(failure('28P01'));
    await expect(waitForDatabase(db.probe, { waitMs: 10_000, retryEveryMs: 1 })).rejects.toThrow('28P01');
    expect(db.calls()).toBe(1);
  });

  it('tries once when there is no wait, and gives up with the last error after it', async () => {
    const once = probeFailing(failure('ECONNREFUSED'));
    await expect(waitForDatabase(once.probe, { waitMs: 0 })).rejects.toThrow('ECONNREFUSED');
    expect(once.calls()).toBe(1);
    const never = probeFailing(...Array.from({ length: 1_000 }, () => failure('ECONNREFUSED')));
    await expect(waitForDatabase(never.probe, { waitMs: 50, retryEveryMs: 5 })).rejects.toThrow(
      'ECONNREFUSED',
    );
    expect(never.calls()).toBeGreaterThan(1);
    expect(never.calls()).toBeLessThan(1_000);
  });
});
