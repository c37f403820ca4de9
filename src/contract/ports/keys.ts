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
}

export interface NewApiKey {
  name: string;
  admin?: boolean;
  policy?: KeyPolicy;
}

/** API keys. Only SHA-256 digests are stored; the key itself is shown once, at creation. */
export interface KeyStore {
  /** Returns the new record and the key, which is not stored and cannot be recovered later. */
  create(input: NewApiKey): Promise<{ record: ApiKeyRecord; key: string }>;
  list(options?: { includeRevoked?: boolean }): Promise<ApiKeyRecord[]>;
  /** The active key with this digest, if any. */
  findByHash(keyHash: string): Promise<(ApiKeyRecord & { keyHash: string }) | undefined>;
  get(id: string): Promise<ApiKeyRecord | undefined>;
  /** Keys in the store; revoked ones count only when asked for. */
  count(options?: { includeRevoked?: boolean }): Promise<number>;
  /** Revokes by id or by the name of an active key; returns the revoked record, or undefined. */
  revoke(idOrName: string): Promise<ApiKeyRecord | undefined>;
}
