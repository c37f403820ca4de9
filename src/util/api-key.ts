import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const KEY_PREFIX = 'sk-cg-';
/** 32 random bytes: 256 bits, far beyond guessing, which is why a plain SHA-256 suffices (see hashApiKey). */
const KEY_BYTES = 32;
/** How much of a key `keys list` shows so owners can tell keys apart without revealing them. */
const DISPLAY_PREFIX_LENGTH = KEY_PREFIX.length + 6;

export function generateApiKey(): string {
  return `${KEY_PREFIX}${randomBytes(KEY_BYTES).toString('base64url')}`;
}

/**
 * SHA-256, hex. A slow password hash (bcrypt, scrypt) protects low-entropy secrets people choose;
 * these keys are 256 random bits, so a stolen hash cannot be reversed by guessing, and a fast hash
 * lets every request find its key with one indexed lookup.
 */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export function displayPrefix(key: string): string {
  return key.slice(0, DISPLAY_PREFIX_LENGTH);
}

/** Constant-time comparison of two hex digests of the same hash function. */
export function digestsEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}

/** The key a client sent: `Authorization: Bearer <key>` (OpenAI clients) or `x-api-key: <key>`. */
export function presentedKey(authorization: string | undefined, apiKeyHeader: string | undefined): string {
  const bearer = authorization?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim();
  return bearer || apiKeyHeader?.trim() || '';
}
