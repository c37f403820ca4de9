import type { Context } from 'hono';
import './context-variables.js';
import type { RunService, RunTiming } from '../contract/run-service.js';
import { type Planned, type RunCall, type RunCaller, type StartedRun, serveRun } from '../core/serve-run.js';
import { noteRequestsPerMinute } from './rate-limit-headers.js';

/** A request's caller for the core, and the switch that tears its run down (a stream's client gone). */
export interface RequestCaller {
  caller: RunCaller;
  abort(): void;
}

/**
 * Who the request is (its key, its id, the accounting middleware's summary hook) and a signal that
 * fires when the client goes away or `abort` is called.
 */
export function requestCaller(c: Context, timing?: RunTiming): RequestCaller {
  const disconnect = new AbortController();
  c.req.raw.signal.addEventListener('abort', () => disconnect.abort(), { once: true });
  return {
    caller: {
      principal: c.get('principal'),
      requestId: c.get('requestId'),
      signal: disconnect.signal,
      onSummary: c.get('runHooks')?.onSummary,
      onStarted: c.get('runHooks')?.onStarted,
      timing,
    },
    abort: () => disconnect.abort(),
  };
}

export type HttpRunCall<P extends Planned> = Omit<RunCall<P>, keyof RunCaller>;

export interface ServedHttpRun<P extends Planned> extends StartedRun<P> {
  /** Ends the run: for a stream whose client stopped reading. */
  abort(): void;
}

/**
 * The core's `serveRun` for a route: the caller comes from the request, and admission's decision on
 * the key's requests per minute goes to the response's rate-limit headers.
 */
export async function serveHttpRun<P extends Planned>(
  c: Context,
  runs: RunService,
  call: HttpRunCall<P>,
): Promise<ServedHttpRun<P>> {
  const timing: RunTiming = {};
  const { caller, abort } = requestCaller(c, timing);
  const served = await serveRun(runs, { ...call, ...caller });
  noteRequestsPerMinute(c, served.requestsPerMinute);
  const serverTiming = serverTimingOf(c.get('receivedAt'), timing);
  if (serverTiming) c.header('Server-Timing', serverTiming);
  return { ...served, abort };
}

/**
 * Where the time to the first event went: `gateway` from the request's arrival to its turn handed to
 * Claude Code, `claude` from there to Claude Code's first event (what the model and the API took).
 */
export function serverTimingOf(receivedAt: number | undefined, timing: RunTiming): string | undefined {
  const { turnSentAt, firstEventAt } = timing;
  if (receivedAt === undefined || turnSentAt === undefined || firstEventAt === undefined) return undefined;
  const ms = (value: number) => Math.max(0, value).toFixed(1);
  return `gateway;dur=${ms(turnSentAt - receivedAt)}, claude;dur=${ms(firstEventAt - turnSentAt)}`;
}
