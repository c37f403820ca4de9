/**
 * Longest identifiers the gateway accepts. Each is far above any real value and far below what
 * would let a client grow the store or the logs with one request: the audit log keeps the model,
 * errors echo names back.
 */
export const FIELD_LIMITS = {
  /** Model ids and aliases (the longest real ones are under 40 characters). */
  model: 256,
  /** Function and tool names: OpenAI allows 64. */
  toolName: 64,
  /** Tool call ids, message `name`s, `user`. */
  identifier: 256,
  /** One stop sequence. */
  stopSequence: 1024,
  /** OpenAI's metadata rules: 16 pairs, keys up to 64 characters, values up to 512. */
  metadataPairs: 16,
  metadataKey: 64,
  metadataValue: 512,
  /** The largest output any served Claude model allows (Opus: 128K); more is a 400, not a silent clamp. */
  maxOutputTokens: 128_000,
  /** Template names (file names, `.md` included, must stay within the 255 bytes a file name may have). */
  templateName: 200,
  /** Paths (agent mode `cwd`). */
  path: 4096,
} as const;

/** How much of a client's string an error message or the audit log repeats. */
export const ECHO_LIMIT = 80;

/** `value` as it may be repeated back: cut at `max` characters, saying how long it really was. */
export function truncateForEcho(value: string, max: number = ECHO_LIMIT): string {
  return value.length <= max ? value : `${value.slice(0, max)}… (${value.length} characters)`;
}
