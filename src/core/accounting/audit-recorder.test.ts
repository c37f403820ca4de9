import { describe, expect, it } from 'vitest';
import type { FinishedRequest } from '../../contract/finished-request.js';
import { toAuditEntry } from './audit-recorder.js';

const request: FinishedRequest = {
  principal: { id: 'key_1', name: 'k', admin: false, source: 'store', policy: {} },
  requestId: 'req-1',
  method: 'POST',
  path: '/v1/chat/completions',
  body: { model: 'sonnet', messages: [{ role: 'user', content: 'my secret plan' }] },
  stream: true,
  status: 200,
  errorCode: null,
  summary: {
    model: 'sonnet',
    outcome: 'ok',
    usage: {
      inputTokens: 2,
      outputTokens: 3,
      cacheReadInputTokens: 6,
      cacheCreationInputTokens: 4,
      reasoningTokens: 0,
    },
    costUsd: 0.01,
    durationMs: 812.4,
    timeToFirstChunkMs: 301.6,
    queueWaitMs: 0.2,
  },
  durationMs: 830,
};

describe('toAuditEntry', () => {
  it('records who, what, how it went and what it cost, without the prompt by default', () => {
    const entry = toAuditEntry(request, 1000, false);
    expect(entry).toEqual({
      at: 1000,
      requestId: 'req-1',
      keyId: 'key_1',
      method: 'POST',
      path: '/v1/chat/completions',
      model: 'sonnet',
      stream: true,
      status: 200,
      errorCode: null,
      promptTokens: 12,
      completionTokens: 3,
      costUsd: 0.01,
      durationMs: 830,
      timeToFirstChunkMs: 301.6,
      queueWaitMs: 0.2,
      prompt: null,
    });
    expect(JSON.stringify(entry)).not.toContain('secret');
  });

  it('keeps the messages only when the owner opted in', () => {
    expect(toAuditEntry(request, 1000, true).prompt).toBe(
      JSON.stringify([{ role: 'user', content: 'my secret plan' }]),
    );
  });

  it('records the Claude account the run used', () => {
    const onMain = { ...request, summary: { ...request.summary, account: 'main' } } as FinishedRequest;
    expect(toAuditEntry(onMain, 1, false).account).toBe('main');
    expect(toAuditEntry(request, 1, false)).not.toHaveProperty('account');
  });

  it('records requests refused before any run, with the model they asked for', () => {
    const refused = { ...request, status: 403, errorCode: 'model_not_allowed', summary: undefined };
    expect(toAuditEntry(refused, 1, false)).toMatchObject({
      model: 'sonnet',
      status: 403,
      errorCode: 'model_not_allowed',
      costUsd: 0,
      promptTokens: 0,
      timeToFirstChunkMs: null,
    });
  });
});
