import type { KeyPolicy } from '../key-policy.js';
export interface ApiKeyRecord {
  id: string;
  name: string;
  /** The first characters of the key, for telling keys apart; never enough to use it. */
  prefix: string;
  admin: boolean;
  policy: KeyPolicy;
  spentUsd: number;
  createdAt: number;
  revokedAt: number | null;
  /** From this instant on the key is refused as expired; null: it never expires. */
  expiresAt: number | null;
}

export interface NewApiKey {
  name: string;
  admin?: boolean;
  policy?: KeyPolicy;
  expiresAt?: number;
}

/**
 * A change to a live key: each setting given is replaced, `null` removes it (no limit, no expiry),
 * one left out stays as it is.
 */
export type KeyChange = { [Setting in keyof KeyPolicy]?: KeyPolicy[Setting] | null } & {
  expiresAt?: number | null;
};

/** API keys. Only SHA-256 digests are stored; the key itself is shown once, at creation. */
export interface KeyStore {
  /** Returns the new record and the key, which is not stored and cannot be recovered later. */
  create(input: NewApiKey): Promise<{ record: ApiKeyRecord; key: string }>;
  list(options?: { includeRevoked?: boolean }): Promise<ApiKeyRecord[]>;
  /** The key with this digest unless revoked (an expired one too, so it can be refused as expired). */
  findByHash(keyHash: string): Promise<(ApiKeyRecord & { keyHash: string }) | undefined>;
  get(id: string): Promise<ApiKeyRecord | undefined>;
  /** Keys in the store; revoked ones count only when asked for. */
  count(options?: { includeRevoked?: boolean }): Promise<number>;
  /** Revokes by id or by the name of an active key; returns the revoked record, or undefined. */
  revoke(idOrName: string): Promise<ApiKeyRecord | undefined>;
  /**
   * Changes an active (not revoked) key, found by id or name, in one statement; every gateway
   * reads it on the key's next request. Returns the changed record, or undefined.
   */
  update(idOrName: string, change: KeyChange): Promise<ApiKeyRecord | undefined>;
  /** What the key was charged from `from` (Unix ms) on, summed from the audit log. */
  spentSince(id: string, from: number): Promise<number>;
}
