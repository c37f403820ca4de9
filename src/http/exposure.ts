import { isIP } from 'node:net';

export type Exposure =
  /** Keys exist: every API request needs one. */
  | 'protected'
  /** No keys, but only this machine can connect: open, as a local tool. */
  | 'open-loopback'
  /** AUTH_DISABLED=true: open on purpose. */
  | 'auth-disabled'
  /** No keys on an address others can reach: refuse to start. */
  | 'refuse';

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  const v4 = bare.startsWith('::ffff:') ? bare.slice('::ffff:'.length) : bare;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

export function decideExposure(host: string, authDisabled: boolean, hasAnyKey: boolean): Exposure {
  if (authDisabled) return 'auth-disabled';
  if (hasAnyKey) return 'protected';
  return isLoopbackHost(host) ? 'open-loopback' : 'refuse';
}
