import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

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
  if (options.format === 'pretty') {
    // In-process (not a pino transport worker): a terminal's volume needs no extra thread.
    return pino(
      settings,
      pretty({
        colorize: options.colorize ?? false,
        ignore: 'service',
        translateTime: 'SYS:HH:MM:ss.l',
        // Written at once, like pino's own stdout: the last lines before process.exit are not lost.
        sync: true,
        ...(options.destination ? { destination: options.destination } : {}),
      }),
    );
  }
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
