import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { truncateForEcho } from '../../contract/field-limits.js';
import type { FinishedRequest, StartedRequest } from '../../contract/finished-request.js';
import type { AuditEntry, AuditLog, AuditProgress } from '../../contract/ports/audit.js';
import { promptTokensOf } from '../../contract/run-events.js';
import type { ReadRunProgress, RunProgress } from '../../contract/run-service.js';

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
  /** How often a running row is brought up to date with what its run used so far. */
  progressIntervalMs?: number;
}

export interface AuditRecorder {
  /**
   * Opens the row of a run just started (it has its queue slot), without waiting for the store (the client waits for its
   * first token, not for this write), and keeps it up to date from `progress` every few seconds, so
   * a gateway killed mid-run leaves what the run had used. Returns the run key `record` completes.
   */
  begin(request: StartedRequest, progress: ReadRunProgress): string;
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
  /** Stops retrying and updating running rows. */
  close(): void;
}

const MAX_RETRY_DELAY_MS = 30_000;
const PROGRESS_INTERVAL_MS = 3_000;

/** A row opened as its run started: its writes in order (the completion waits for them), and its updater. */
interface RunningRow {
  writes: Promise<void>;
  updating: boolean;
  timer: NodeJS.Timeout;
  written: string;
}

export function auditRecorder(audit: AuditLog, options: AuditRecorderOptions): AuditRecorder {
  const now = options.now ?? Date.now;
  const maxBuffered = options.maxBuffered ?? 10_000;
  const baseDelay = options.retryDelayMs ?? 1_000;
  const pending: AuditEntry[] = [];
  let delay = baseDelay;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const running = new Map<string, RunningRow>();

  const updateProgress = (runKey: string, row: RunningRow, read: ReadRunProgress) => {
    if (row.updating || !options.isOpen()) return;
    const progress = toAuditProgress(read());
    const fingerprint = `${progress.promptTokens}/${progress.completionTokens}/${progress.costUsd}`;
    if (fingerprint === row.written) return;
    row.updating = true;
    row.writes = row.writes
      .then(() => audit.progress(runKey, progress))
      .then(
        () => {
          row.written = fingerprint;
        },
        (err: unknown) => options.logger.warn({ err, runKey }, 'running audit row not updated'),
      )
      .finally(() => {
        row.updating = false;
      });
  };

  /** The run is over: its row's pending writes are awaited, so the completion lands after them. */
  const settle = async (runKey: string | undefined) => {
    const row = runKey === undefined ? undefined : running.get(runKey);
    if (!row || runKey === undefined) return;
    clearInterval(row.timer);
    running.delete(runKey);
    await row.writes;
  };

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
    begin(request, progress) {
      const runKey = randomUUID();
      if (!options.isOpen() || closed) return runKey;
      const opened = { ...request, status: 0, errorCode: null, summary: undefined, durationMs: 0 };
      const entry = { ...toAuditEntry(opened, now(), options.includePrompts), runKey };
      // Not awaited: a row that cannot be written now is appended whole when the run ends.
      const writes = audit.begin(entry).catch((err: unknown) => {
        options.logger.warn({ err, requestId: entry.requestId }, 'running audit row not written');
      });
      const row: RunningRow = {
        writes,
        updating: false,
        written: '',
        timer: setInterval(
          () => updateProgress(runKey, row, progress),
          options.progressIntervalMs ?? PROGRESS_INTERVAL_MS,
        ).unref(),
      };
      running.set(runKey, row);
      return runKey;
    },
    async record(request) {
      await settle(request.runKey);
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
      // Rows still running stay so in the store: the next start closes and charges them.
      for (const row of running.values()) clearInterval(row.timer);
      running.clear();
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
    ...(request.runKey !== undefined ? { runKey: request.runKey } : {}),
  };
}

function toAuditProgress(progress: RunProgress): AuditProgress {
  return {
    promptTokens: promptTokensOf(progress.usage),
    completionTokens: progress.usage.outputTokens,
    costUsd: progress.costUsd,
    durationMs: progress.durationMs,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
