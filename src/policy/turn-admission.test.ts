import { describe, expect, it } from 'vitest';
import { GatewayError } from '../core/gateway-error.js';
import { ZERO_USAGE } from '../core/run-events.js';
import type { FinishedRequest } from './enforce-key-policy.js';
import { KeyConcurrency } from './key-concurrency.js';
import type { Principal } from './key-policy.js';
import { createTurnAdmission } from './turn-admission.js';

const key = (policy: Principal['policy']): Principal => ({
  id: 'key_1',
  name: 'k',
  admin: false,
  source: 'store',
  policy,
});
const turn = {
  requestId: 'r1',
  method: 'WS',
  path: '/api/v1/sessions/s/ws',
  body: { prompt: 'x' },
  stream: true,
};

function setup(spent = 0) {
  const finished: FinishedRequest[] = [];
  const counted: string[] = [];
  const concurrency = new KeyConcurrency();
  const admit = createTurnAdmission({
    countTurn: async (principal) => {
      counted.push(principal.id);
      if (counted.length > 2) {
        throw new GatewayError({
          kind: 'rate_limited',
          status: 429,
          code: 'rate_limit_exceeded',
          message: 'rpm',
        });
      }
    },
    concurrency,
    spentUsd: () => spent,
    onFinished: (request) => finished.push(request),
  });
  return { admit, finished, counted, concurrency };
}

describe('turn admission outside HTTP', () => {
  it('counts the turn, holds a concurrency slot until it finishes, and records it once', async () => {
    const { admit, finished, concurrency } = setup();
    const ticket = await admit(key({ concurrency: 1 }), turn);
    expect(concurrency.running('key_1')).toBe(1);
    await expect(admit(key({ concurrency: 1 }), turn)).rejects.toMatchObject({ status: 429 });
    ticket.onSummary({
      surface: 'native',
      model: 'sonnet',
      outcome: 'ok',
      usage: { ...ZERO_USAGE, inputTokens: 5, outputTokens: 3 },
      costUsd: 0.1,
      costEstimated: false,
      durationMs: 5,
      queueWaitMs: 0,
    });
    ticket.finish();
    ticket.finish();
    expect(concurrency.running('key_1')).toBe(0);
    // The refused second turn, then the finished first one, each recorded once.
    expect(finished.map((request) => request.status)).toEqual([429, 200]);
    expect(finished[1]).toMatchObject({
      status: 200,
      errorCode: null,
      path: '/api/v1/sessions/s/ws',
      summary: { costUsd: 0.1, usage: { prompt_tokens: 5, completion_tokens: 3 }, surface: 'native' },
    });
  });

  it('refuses a key over its budget or its requests per minute', async () => {
    await expect(setup(5).admit(key({ budgetUsd: 5 }), turn)).rejects.toMatchObject({ status: 429 });
    const { admit } = setup();
    (await admit(key({}), turn)).finish();
    (await admit(key({}), turn)).finish();
    await expect(admit(key({}), turn)).rejects.toMatchObject({ code: 'rate_limit_exceeded' });
  });

  it('audits a refused turn with the refusal', async () => {
    const { admit, finished } = setup(5);
    await expect(admit(key({ budgetUsd: 5 }), turn)).rejects.toMatchObject({ status: 429 });
    expect(finished).toEqual([expect.objectContaining({ status: 429, summary: undefined, path: turn.path })]);
  });

  it("records a failed run with its error's status and code", async () => {
    const { admit, finished } = setup();
    const ticket = await admit(key({}), turn);
    ticket.onSummary({
      surface: 'native',
      model: 'sonnet',
      outcome: 'error',
      error: new GatewayError({ kind: 'upstream', status: 502, code: 'upstream_error', message: 'x' }),
      usage: { ...ZERO_USAGE },
      costUsd: 0,
      costEstimated: false,
      durationMs: 1,
      queueWaitMs: 0,
    });
    ticket.finish();
    expect(finished[0]).toMatchObject({ status: 502, errorCode: 'upstream_error' });
  });
});
