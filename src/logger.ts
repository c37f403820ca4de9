import pino, { type Logger } from 'pino';
import { prettyFactory } from 'pino-pretty';

/** Header and field names that must never reach a log line. */
const REDACT = [
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers["x-api-key"]',
  '*.apiKey',
  '*.api_key',
  '*.ANTHROPIC_API_KEY',
  '*.CLAUDE_CODE_OAUTH_TOKEN',
];

/** `json`: one object per line, for log collectors. `pretty`: coloured lines for a person. */
export type LogFormat = 'json' | 'pretty';

/** LOG_FORMAT when set; otherwise pretty for a terminal and JSON for anything else (a file, a pipe). */
export function chooseLogFormat(setting: LogFormat | undefined, stdoutIsTty: boolean): LogFormat {
  return setting ?? (stdoutIsTty ? 'pretty' : 'json');
}

export interface LoggerOptions {
  format?: LogFormat;
  /** Where lines go (stdout by default); tests pass a buffer. */
  destination?: pino.DestinationStream;
  /** Colours in pretty lines; on for a terminal. */
  colorize?: boolean;
}

export function createLogger(level: string, options: LoggerOptions = {}): Logger {
  const settings = {
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    base: { service: 'claude-gateway' },
  };
  // Written at once, like pino's own stdout: the last lines before process.exit are not lost.
  const destination = options.destination ?? pino.destination({ dest: 1, sync: true });
  if (options.format === 'pretty') {
    // In-process (not a pino transport worker): a terminal's volume needs no extra thread.
    return pino(settings, prettyLines(destination, options.colorize ?? false));
  }
  return pino(settings, destination);
}

/**
 * Pretty lines, one per entry: the fields after the message on the same line, and a request's
 * own line as `GET /v1/models 200 12 ms` (an error's stack still takes the lines it needs).
 */
function prettyLines(destination: pino.DestinationStream, colorize: boolean): pino.DestinationStream {
  const prettify = prettyFactory({
    colorize,
    ignore: 'service',
    translateTime: 'SYS:HH:MM:ss.l',
    singleLine: true,
  });
  return {
    write(line: string) {
      destination.write(prettify(asRequestLine(JSON.parse(line) as Record<string, unknown>)));
    },
  };
}

/** The request logger's entry (see http/request-logger.ts) with its fields folded into the message. */
function asRequestLine(entry: Record<string, unknown>): Record<string, unknown> {
  if (entry.msg !== 'request' || typeof entry.method !== 'string') return entry;
  const { method, path, status, durationMs, ...rest } = entry;
  return { ...rest, msg: `${method} ${String(path)} ${String(status)} ${String(durationMs)} ms` };
}
