import type { Logger } from 'pino';
import { truncateForEcho } from '../hardening/field-limits.js';
import type { FinishedRequest } from '../policy/enforce-key-policy.js';
import type { AuditEntry, AuditLog } from './audit-log.js';

const MAX_AUDIT_PATH = 512;

export interface AuditRecorderOptions {
  /** AUDIT_PROMPTS=true: keep the request's messages. Off by default: prompts often hold secrets. */
  includePrompts: boolean;
  logger: Logger;
  /** False once the store is closed (a run that ends during shutdown is logged, not recorded). */
  isOpen: () => boolean;
  now?: () => number;
}

export function auditRecorder(audit: AuditLog, options: AuditRecorderOptions) {
  const now = options.now ?? Date.now;
  return function recordAudit(request: FinishedRequest): void {
    const entry = toAuditEntry(request, now(), options.includePrompts);
    if (!options.isOpen()) {
      options.logger.warn({ requestId: entry.requestId }, 'store closed; audit entry dropped');
      return;
    }
    try {
      audit.record(entry);
    } catch (err) {
      options.logger.error({ err, requestId: entry.requestId }, 'audit entry not recorded');
    }
  };
}

export function toAuditEntry(request: FinishedRequest, at: number, includePrompts: boolean): AuditEntry {
  const body = isRecord(request.body) ? request.body : {};
  const summary = request.summary;
  return {
    at,
    requestId: request.requestId,
    keyId: request.principal.id,
    method: request.method,
    path: truncateForEcho(request.path, MAX_AUDIT_PATH),
    // Bodies that failed validation are audited too: nothing a client sent is stored at full length.
    model: typeof body.model === 'string' ? truncateForEcho(body.model) : (summary?.model ?? null),
    stream: request.stream,
    status: request.status,
    errorCode: request.errorCode,
    promptTokens: summary?.usage?.prompt_tokens ?? 0,
    completionTokens: summary?.usage?.completion_tokens ?? 0,
    costUsd: summary?.costUsd ?? 0,
    durationMs: request.durationMs,
    timeToFirstChunkMs: summary?.timeToFirstChunkMs ?? null,
    queueWaitMs: summary?.queueWaitMs ?? null,
    prompt: includePrompts && body.messages !== undefined ? JSON.stringify(body.messages) : null,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
