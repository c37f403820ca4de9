import pino, { type Logger } from 'pino';

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

export function createLogger(level: string, destination?: pino.DestinationStream): Logger {
  return pino(
    { level, redact: { paths: REDACT, censor: '[redacted]' }, base: { service: 'claude-gateway' } },
    destination,
  );
}
