import { describe, expect, it } from 'vitest';
import type { FinishedRequest } from '../../contract/finished-request.js';
import { GatewayError } from '../../contract/gateway-error.js';
import type { Principal } from '../../contract/key-policy.js';
import { ZERO_USAGE } from '../../contract/run-events.js';
import type { RunSummary } from '../../contract/run-service.js';
import { createTurnAccounting } from './turn-accounting.js';

const key: Principal = { id: 'key_1', name: 'k', admin: false, source: 'store', policy: {} };
const turn = {
  requestId: 'r1',
  method: 'WS',
  path: '/api/v1/sessions/s/ws',
  body: { prompt: 'x' },
  stream: true,
};

const runSummary = (overrides: Partial<RunSummary>): RunSummary => ({
  surface: 'native',
  model: 'sonnet',
  outcome: 'ok',
  usage: { ...ZERO_USAGE },
  costUsd: 0,
  costEstimated: false,
  durationMs: 1,
  queueWaitMs: 0,
  ...overrides,
});

function setup() {
  const finished: FinishedRequest[] = [];
  const recordTurn = createTurnAccounting({
    onFinished: (request) => {
      finished.push(request);
    },
  });
  return { recordTurn, finished };
}

describe('turn accounting outside HTTP', () => {
  it('records a finished turn once, with its usage', () => {
    const { recordTurn, finished } = setup();
    const record = recordTurn(key, turn);
    record.onSummary(runSummary({ usage: { ...ZERO_USAGE, inputTokens: 5, outputTokens: 3 }, costUsd: 0.1 }));
    record.finish();
    record.finish();
    expect(finished).toHaveLength(1);
    expect(finished[0]).toMatchObject({
      status: 200,
      errorCode: null,
      path: '/api/v1/sessions/s/ws',
      summary: { costUsd: 0.1, usage: { inputTokens: 5, outputTokens: 3 }, surface: 'native' },
    });
  });

  it('audits a refused turn with the refusal, once', async () => {
    const { recordTurn, finished } = setup();
    const record = recordTurn(key, turn);
    await record.refused(
      new GatewayError({ kind: 'quota_exceeded', status: 429, code: 'insufficient_quota', message: 'x' }),
    );
    record.finish();
    expect(finished).toEqual([
      expect.objectContaining({
        status: 429,
        errorCode: 'insufficient_quota',
        summary: undefined,
        path: turn.path,
      }),
    ]);
  });

  it("records a failed run with its error's status and code, and a turn without a run as 499", () => {
    const { recordTurn, finished } = setup();
    const failed = recordTurn(key, turn);
    failed.onSummary(
      runSummary({
        outcome: 'error',
        error: new GatewayError({ kind: 'upstream', status: 502, code: 'upstream_error', message: 'x' }),
      }),
    );
    failed.finish();
    recordTurn(key, turn).finish();
    expect(finished.map((request) => [request.status, request.errorCode])).toEqual([
      [502, 'upstream_error'],
      [499, 'client_closed_request'],
    ]);
  });
});
