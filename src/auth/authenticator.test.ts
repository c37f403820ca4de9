import { describe, expect, it } from 'vitest';
import { openStoreDatabase } from '../store/database.js';
import { KeyStore } from '../store/key-store.js';
import { presentedKey } from './api-key.js';
import { ANONYMOUS, createAuthenticator } from './authenticator.js';

const keyStore = () => new KeyStore(openStoreDatabase(':memory:'));

describe('createAuthenticator', () => {
  it('is open while no key exists, closes as soon as one is created and stays closed after revocation', () => {
    const keys = keyStore();
    const auth = createAuthenticator({ envKeys: [], keys, disabled: false });
    expect(auth.isOpen()).toBe(true);
    expect(auth.authenticate('')).toEqual({ kind: 'ok', principal: ANONYMOUS });
    const { key } = keys.create({ name: 'first', policy: { rpm: 3 } });
    expect(auth.isOpen()).toBe(false);
    expect(auth.authenticate('')).toEqual({ kind: 'missing' });
    expect(auth.authenticate('sk-cg-wrong')).toEqual({ kind: 'invalid' });
    expect(auth.authenticate(key)).toMatchObject({
      kind: 'ok',
      principal: { name: 'first', source: 'store', admin: false, policy: { rpm: 3 } },
    });
    keys.revoke('first');
    expect(auth.isOpen()).toBe(false);
    expect(auth.authenticate(key)).toEqual({ kind: 'invalid' });
  });

  it('accepts environment keys as unrestricted and the admin key as admin', () => {
    const auth = createAuthenticator({
      envKeys: ['env-key-one', 'env-key-two'],
      adminKey: 'admin-key-0123456789',
      keys: keyStore(),
      disabled: false,
    });
    const two = auth.authenticate('env-key-two');
    expect(two).toMatchObject({ kind: 'ok', principal: { source: 'env', admin: false } });
    const one = auth.authenticate('env-key-one');
    if (one.kind !== 'ok' || two.kind !== 'ok') throw new Error('expected both keys to pass');
    expect(one.principal.id).not.toBe(two.principal.id);
    expect(one.principal.id).not.toContain('env-key-one');
    expect(auth.authenticate('admin-key-0123456789')).toMatchObject({ principal: { admin: true } });
    expect(auth.authenticate('env-key-on')).toEqual({ kind: 'invalid' });
  });

  it('lets everyone in when disabled, still identifying callers that send a valid key', () => {
    const auth = createAuthenticator({ envKeys: ['env-key-one'], keys: keyStore(), disabled: true });
    expect(auth.authenticate('')).toEqual({ kind: 'ok', principal: ANONYMOUS });
    expect(auth.authenticate('nonsense')).toEqual({ kind: 'ok', principal: ANONYMOUS });
    expect(auth.authenticate('env-key-one')).toMatchObject({ principal: { source: 'env' } });
  });
});

describe('presentedKey', () => {
  it('reads a Bearer token first, then x-api-key', () => {
    expect(presentedKey('Bearer  abc ', 'def')).toBe('abc');
    expect(presentedKey('bearer abc', undefined)).toBe('abc');
    expect(presentedKey('Basic abc', 'def')).toBe('def');
    expect(presentedKey(undefined, undefined)).toBe('');
  });
});
