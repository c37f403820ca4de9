import { describe, expect, it } from 'vitest';
import { GatewayError } from '../contract/gateway-error.js';
import type { RunEvent } from '../contract/run-events.js';
import { awaitFirstEvent } from './first-event.js';

const refusal = new GatewayError({ kind: 'rate_limited', status: 429, message: 'busy', code: 'queue_full' });
const text: RunEvent = { type: 'text_delta', text: 'hi' };

/** A run that records whether it was closed (its finally blocks ran). */
function run(events: RunEvent[]) {
  const seen = { closed: false };
  async function* generate() {
    try {
      for (const event of events) yield event;
    } finally {
      seen.closed = true;
    }
  }
  return { events: generate(), seen };
}

describe('awaitFirstEvent', () => {
  it('throws an error that comes first, after closing the run', async () => {
    const { events, seen } = run([{ type: 'error', error: refusal }, text]);
    await expect(awaitFirstEvent(events)).rejects.toBe(refusal);
    expect(seen.closed).toBe(true);
  });

  it('hands back every event, the first included', async () => {
    const { events } = run([text, { type: 'error', error: refusal }]);
    const all: RunEvent[] = [];
    for await (const event of await awaitFirstEvent(events)) all.push(event);
    expect(all).toEqual([text, { type: 'error', error: refusal }]);
  });

  it('closes the run when the consumer stops after the first event', async () => {
    const { events, seen } = run([text, text]);
    for await (const _event of await awaitFirstEvent(events)) break;
    expect(seen.closed).toBe(true);
  });

  it('hands back nothing for a run without events', async () => {
    const { events } = run([]);
    expect(await (await awaitFirstEvent(events)).next()).toEqual({ done: true, value: undefined });
  });
});
