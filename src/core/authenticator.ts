import { type KeyPolicy, type Principal, UNRESTRICTED_POLICY } from '../contract/key-policy.js';
import type { KeyStore } from '../contract/ports/keys.js';
import { digestsEqual, hashApiKey } from '../util/api-key.js';

export interface AuthenticatorOptions {
  /** Keys from GATEWAY_API_KEYS: the owner's own, unrestricted. */
  envKeys: readonly string[];
  /** GATEWAY_ADMIN_KEY: may also read usage. */
  adminKey?: string | undefined;
  keys: KeyStore;
  /** AUTH_DISABLED=true: every request is let in, even without a key. */
  disabled: boolean;
  now?: () => number;
}

export type AuthResult =
  | { kind: 'ok'; principal: Principal }
  | { kind: 'missing' }
  | { kind: 'invalid' }
  /** A stored key past its expiry (told apart so its owner knows to renew it, not to fix a typo). */
  | { kind: 'expired'; expiredAt: number };

export interface Authenticator {
  /**
   * Open means no key is required: auth is disabled, or no key exists at all (allowed only on a
   * loopback address; the server refuses to start on any other). Checked per request, so the
   * first key created with the CLI closes a running gateway at once; it stays closed after revocations.
   */
  isOpen(): Promise<boolean>;
  /** Whether any key exists or ever existed (environment or store, revoked ones included). */
  hasAnyKey(): Promise<boolean>;
  /**
   * Looks the key up in the store on every request, with no cache: a key revoked, changed or
   * renewed through any gateway sharing the store is seen by all of them from their next request on.
   */
  authenticate(presented: string): Promise<AuthResult>;
}

/** Who a request comes from when no key is required; never admin, so /v1/usage always needs a key. */
export const ANONYMOUS: Principal = {
  id: 'anonymous',
  name: 'anonymous',
  admin: false,
  source: 'anonymous',
  policy: UNRESTRICTED_POLICY,
};

interface StaticKey {
  digest: string;
  principal: Principal;
}

type LookUp = { kind: 'ok'; principal: Principal } | { kind: 'expired'; expiredAt: number } | undefined;

export function createAuthenticator(options: AuthenticatorOptions): Authenticator {
  const now = options.now ?? Date.now;
  const staticKeys: StaticKey[] = options.envKeys.map((key) => {
    const digest = hashApiKey(key);
    return {
      digest,
      principal: envPrincipal(`env-${digest.slice(0, 8)}`, 'GATEWAY_API_KEYS', false, UNRESTRICTED_POLICY),
    };
  });
  if (options.adminKey) {
    staticKeys.push({
      digest: hashApiKey(options.adminKey),
      principal: envPrincipal('admin', 'GATEWAY_ADMIN_KEY', true, UNRESTRICTED_POLICY),
    });
  }

  // Revoked keys count: revoking the last key must not reopen the gateway to everyone.
  const hasAnyKey = async () =>
    staticKeys.length > 0 || (await options.keys.count({ includeRevoked: true })) > 0;
  const isOpen = async () => options.disabled || !(await hasAnyKey());

  async function lookUp(presented: string): Promise<LookUp> {
    const digest = hashApiKey(presented);
    // Compare against every static key without stopping early, so timing says nothing about which.
    let match: Principal | undefined;
    for (const candidate of staticKeys) {
      if (digestsEqual(candidate.digest, digest)) match = candidate.principal;
    }
    if (match) return { kind: 'ok', principal: match };
    // An indexed lookup by digest: its timing can only reveal something about the digest, which is
    // useless without the key. The final comparison is constant-time all the same.
    const stored = await options.keys.findByHash(digest);
    if (!stored || !digestsEqual(stored.keyHash, digest)) return undefined;
    if (stored.expiresAt !== null && stored.expiresAt <= now())
      return { kind: 'expired', expiredAt: stored.expiresAt };
    const principal: Principal = {
      id: stored.id,
      name: stored.name,
      admin: stored.admin,
      source: 'store',
      policy: stored.policy,
    };
    return { kind: 'ok', principal };
  }

  return {
    isOpen,
    hasAnyKey,
    async authenticate(presented) {
      const found = presented ? await lookUp(presented) : undefined;
      if (found?.kind === 'ok') return found;
      if (await isOpen()) return { kind: 'ok', principal: ANONYMOUS };
      if (found) return found;
      return presented ? { kind: 'invalid' } : { kind: 'missing' };
    },
  };
}

function envPrincipal(id: string, name: string, admin: boolean, policy: KeyPolicy): Principal {
  return { id, name, admin, source: 'env', policy };
}
