import type { Logger } from 'pino';
import { truncateForEcho } from '../../contract/field-limits.js';
import type { FinishedRequest } from '../../contract/finished-request.js';
import type { AuditEntry, AuditLog } from '../../contract/ports/audit.js';
import { promptTokensOf } from '../../contract/run-events.js';

const MAX_AUDIT_PATH = 512;

export interface AuditRecorderOptions {
  /** AUDIT_PROMPTS=true: keep the request's messages. Off by default: prompts often hold secrets. */
  includePrompts: boolean;
  logger: Logger;
  /** False once the store is closed (a run that ends during shutdown is logged, not recorded). */
  isOpen: () => boolean;
  now?: () => number;
  /** Entries kept for retry while the store is unreachable; past this the oldest are dropped (logged). */
  maxBuffered?: number;
  /** First retry delay; it doubles up to 30 s while the store stays away. */
  retryDelayMs?: number;
}

export interface AuditRecorder {
  /**
   * Writes the entry. Never rejects: when the store is unreachable (a database outage) the entry
   * is buffered in memory and retried with backoff, so runs that finished are not lost to an outage
   * (they are lost only if this process dies before the store comes back).
   */
  record(request: FinishedRequest): Promise<void>;
  /** Entries waiting for a retry. */
  readonly buffered: number;
  /** One last attempt at the buffered entries (at shutdown); returns how many are still unwritten. */
  flush(): Promise<number>;
  /** Stops retrying. */
  close(): void;
}

const MAX_RETRY_DELAY_MS = 30_000;

export function auditRecorder(audit: AuditLog, options: AuditRecorderOptions): AuditRecorder {
  const now = options.now ?? Date.now;
  const maxBuffered = options.maxBuffered ?? 10_000;
  const baseDelay = options.retryDelayMs ?? 1_000;
  const pending: AuditEntry[] = [];
  let delay = baseDelay;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const buffer = (entry: AuditEntry) => {
    pending.push(entry);
    if (pending.length > maxBuffered) {
      const dropped = pending.shift();
      options.logger.error({ requestId: dropped?.requestId }, 'audit buffer full; oldest entry dropped');
    }
    schedule();
  };

  const schedule = () => {
    if (timer || closed || pending.length === 0) return;
    timer = setTimeout(() => {
      timer = undefined;
      void retry();
    }, delay);
    timer.unref();
  };

  // Writes buffered entries oldest first; stops at the first failure and backs off.
  const retry = async (): Promise<void> => {
    while (pending.length > 0 && options.isOpen()) {
      const entry = pending[0] as AuditEntry;
      try {
        await audit.record(entry);
      } catch {
        delay = Math.min(delay * 2, MAX_RETRY_DELAY_MS);
        schedule();
        return;
      }
      pending.shift();
    }
    delay = baseDelay;
  };

  return {
    async record(request) {
      const entry = toAuditEntry(request, now(), options.includePrompts);
      if (!options.isOpen()) {
        options.logger.warn({ requestId: entry.requestId }, 'store closed; audit entry dropped');
        return;
      }
      try {
        await audit.record(entry);
      } catch (err) {
        options.logger.error({ err, requestId: entry.requestId }, 'audit entry not recorded; will retry');
        buffer(entry);
      }
    },
    get buffered() {
      return pending.length;
    },
    async flush() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      await retry();
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (pending.length > 0) {
        options.logger.error({ entries: pending.length }, 'audit entries could not be written before exit');
      }
      return pending.length;
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      timer = undefined;
    },
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
    promptTokens: summary?.usage ? promptTokensOf(summary.usage) : 0,
    completionTokens: summary?.usage?.outputTokens ?? 0,
    costUsd: summary?.costUsd ?? 0,
    durationMs: request.durationMs,
    timeToFirstChunkMs: summary?.timeToFirstChunkMs ?? null,
    queueWaitMs: summary?.queueWaitMs ?? null,
    prompt: includePrompts && body.messages !== undefined ? JSON.stringify(body.messages) : null,
    ...(summary?.account !== undefined ? { account: summary.account } : {}),
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
