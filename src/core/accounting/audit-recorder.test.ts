import pino from 'pino';
import { describe, expect, it, vi } from 'vitest';
import type { FinishedRequest } from '../../contract/finished-request.js';
import type { AuditLog } from '../../contract/ports/audit.js';
import { ZERO_USAGE } from '../../contract/run-events.js';
import { auditRecorder, toAuditEntry } from './audit-recorder.js';

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

/** An audit log that writes nothing but the order of the calls; `begin` resolves when the test says. */
function recordingLog() {
  const calls: string[] = [];
  let admitted: () => void = () => undefined;
  const audit: AuditLog = {
    begin: (entry) =>
      new Promise<void>((resolve) => {
        admitted = () => {
          calls.push(`begin ${entry.runKey === undefined ? 'no key' : 'keyed'} status ${entry.status}`);
          resolve();
        };
      }),
    progress: async (_runKey, progress) => {
      calls.push(`progress ${progress.promptTokens}/${progress.completionTokens} ${progress.costUsd}`);
    },
    record: async (entry) => {
      calls.push(`record ${entry.runKey === undefined ? 'no key' : 'keyed'} status ${entry.status}`);
    },
    interruptRunning: async () => 0,
    usage: async () => [],
    usageByAccount: async () => [],
    search: async () => ({ rows: [], total: 0 }),
    find: async () => undefined,
    recent: async () => [],
  };
  return { audit, calls, admit: () => admitted() };
}

describe('auditRecorder for a run from its admission on', () => {
  it('opens the row without waiting, updates what it knows now and then, and completes it after those writes', async () => {
    const { audit, calls, admit } = recordingLog();
    const recorder = auditRecorder(audit, {
      includePrompts: false,
      logger: pino({ level: 'silent' }),
      isOpen: () => true,
      progressIntervalMs: 5,
    });
    const usage = { ...ZERO_USAGE, inputTokens: 12, outputTokens: 3 };
    const runKey = recorder.begin(request, () => ({ usage, costUsd: 0.02, durationMs: 40 }));
    expect(typeof runKey).toBe('string');
    // The run goes on while its row is still being written.
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(calls).toEqual([]);
    admit();
    await vi.waitFor(() => expect(calls).toContain('progress 12/3 0.02'));
    const completion = recorder.record({ ...request, runKey });
    await completion;
    recorder.close();
    // Unchanged progress is written once; the completion names the row and comes last.
    expect(calls).toEqual(['begin keyed status 0', 'progress 12/3 0.02', 'record keyed status 200']);
  });
});
