import type { RunEvent } from '../contract/run-events.js';

type RunEvents = AsyncGenerator<RunEvent, void, undefined>;

/**
 * Waits for a run's first event, so a failure before any output (admission, queue, session, an
 * image fetch) is still answered with a real HTTP status: that error is thrown, once the run is
 * closed so its queue slot, admission and session claim are released. Otherwise: all the run's
 * events, the first one included.
 */
export async function awaitFirstEvent(run: RunEvents): Promise<RunEvents> {
  const first = await run.next();
  if (!first.done && first.value.type === 'error') {
    await run.return();
    throw first.value.error;
  }
  return resume(first, run);
}

async function* resume(first: IteratorResult<RunEvent, void>, rest: RunEvents): RunEvents {
  try {
    if (first.done) return;
    yield first.value;
    yield* rest;
  } finally {
    // A consumer that stops at the first event must still end the run.
    await rest.return();
  }
}
