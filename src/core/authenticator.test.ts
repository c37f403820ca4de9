import { describe, expect, it } from 'vitest';
import { openGatewayStore } from '../store/gateway-store.js';
import { presentedKey } from '../util/api-key.js';
import { ANONYMOUS, createAuthenticator } from './authenticator.js';

const keyStore = async () => (await openGatewayStore({ engine: 'sqlite', file: ':memory:' })).keys;

describe('createAuthenticator', () => {
  it('is open while no key exists, closes as soon as one is created and stays closed after revocation', async () => {
    const keys = await keyStore();
    const auth = createAuthenticator({ envKeys: [], keys, disabled: false });
    expect(await auth.isOpen()).toBe(true);
    expect(await auth.authenticate('')).toEqual({ kind: 'ok', principal: ANONYMOUS });
    const { key } = await keys.create({ name: 'first', policy: { rpm: 3 } });
    expect(await auth.isOpen()).toBe(false);
    expect(await auth.authenticate('')).toEqual({ kind: 'missing' });
    expect(await auth.authenticate('sk-cg-wrong')).toEqual({ kind: 'invalid' });
    expect(await auth.authenticate(key)).toMatchObject({
      kind: 'ok',
      principal: { name: 'first', source: 'store', admin: false, policy: { rpm: 3 } },
    });
    await keys.revoke('first');
    expect(await auth.isOpen()).toBe(false);
    expect(await auth.authenticate(key)).toEqual({ kind: 'invalid' });
  });

  it('refuses a key past its expiry as expired, and takes it again once renewed, with its changed policy', async () => {
    const keys = await keyStore();
    let now = Date.UTC(2026, 11, 7);
    const auth = createAuthenticator({ envKeys: [], keys, disabled: false, now: () => now });
    const { key } = await keys.create({ name: 'temp', policy: { rpm: 3 }, expiresAt: now + 1000 });
    expect(await auth.authenticate(key)).toMatchObject({ kind: 'ok', principal: { policy: { rpm: 3 } } });
    now += 1000;
    expect(await auth.authenticate(key)).toEqual({ kind: 'expired', expiredAt: now });
    await keys.update('temp', { expiresAt: null, rpm: 9 });
    expect(await auth.authenticate(key)).toMatchObject({ kind: 'ok', principal: { policy: { rpm: 9 } } });
  });

  it('accepts environment keys as unrestricted and the admin key as admin', async () => {
    const auth = createAuthenticator({
      envKeys: ['env-key-one', 'env-key-two'],
      adminKey: 'admin-key-0123456789',
      keys: await keyStore(),
      disabled: false,
    });
    const two = await auth.authenticate('env-key-two');
    expect(two).toMatchObject({ kind: 'ok', principal: { source: 'env', admin: false } });
    const one = await auth.authenticate('env-key-one');
    if (one.kind !== 'ok' || two.kind !== 'ok') throw new Error('expected both keys to pass');
    expect(one.principal.id).not.toBe(two.principal.id);
    expect(one.principal.id).not.toContain('env-key-one');
    expect(await auth.authenticate('admin-key-0123456789')).toMatchObject({ principal: { admin: true } });
    expect(await auth.authenticate('env-key-on')).toEqual({ kind: 'invalid' });
  });

  it('lets everyone in when disabled, still identifying callers that send a valid key', async () => {
    const auth = createAuthenticator({ envKeys: ['env-key-one'], keys: await keyStore(), disabled: true });
    expect(await auth.authenticate('')).toEqual({ kind: 'ok', principal: ANONYMOUS });
    expect(await auth.authenticate('nonsense')).toEqual({ kind: 'ok', principal: ANONYMOUS });
    expect(await auth.authenticate('env-key-one')).toMatchObject({ principal: { source: 'env' } });
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
