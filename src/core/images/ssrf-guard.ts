import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Agent, fetch as undiciFetch } from 'undici';

export interface SsrfGuardOptions {
  /**
   * REMOTE_IMAGE_ALLOWED_HOSTS: host names or address literals (as written in URLs, lower case)
   * the operator lets the gateway fetch even though they are not public addresses.
   */
  allowedHosts: readonly string[];
  /** Idle connections to image hosts are closed after this long. */
  keepAliveMs?: number;
}

/** The URL's host is, or resolves to, an address the gateway will not connect to. */
export class BlockedAddressError extends Error {
  constructor() {
    super('the host is not a public internet address');
    this.name = 'BlockedAddressError';
  }
}

/**
 * Only globally routable unicast addresses pass: loopback, private, carrier-grade NAT, link-local
 * (cloud metadata at 169.254.169.254), unique-local, multicast, reserved and the translation
 * prefixes that embed an IPv4 address are all refused. IPv4-mapped IPv6 is judged as the IPv4 it maps.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
}

/**
 * A `fetch` for remote images that cannot be pointed at the gateway's own network. Every request,
 * so every redirect hop, is checked: an address literal in the URL directly (the URL parser has
 * already turned `2130706433`, `0x7f000001` and `127.1` into `127.0.0.1`), a name where it is resolved
 * for the connection itself. The socket connects to the very address that was checked, so a DNS
 * answer that changes between check and connect (rebinding) cannot slip through.
 */
export function createGuardedFetch(options: SsrfGuardOptions): typeof globalThis.fetch {
  const allowed = new Set(options.allowedHosts.map((host) => bareHost(host.toLowerCase())));
  const lookup: LookupFunction = (hostname, lookupOptions, callback) => {
    dnsLookup(hostname, { ...lookupOptions, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const first = addresses[0];
      if (!first) return callback(new BlockedAddressError(), '', 0);
      // Any private answer refuses the name: which of several addresses gets used is not ours to pick.
      if (!allowed.has(hostname.toLowerCase()) && !addresses.every((a) => isPublicAddress(a.address))) {
        return callback(new BlockedAddressError(), '', 0);
      }
      if (lookupOptions.all) return (callback as AllCallback)(null, addresses);
      callback(null, first.address, first.family);
    });
  };
  const agent = new Agent({
    connect: { lookup },
    keepAliveTimeout: options.keepAliveMs ?? 1_000,
    keepAliveMaxTimeout: options.keepAliveMs ?? 1_000,
  });

  return async (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    const host = bareHost(url.hostname);
    // Address literals never reach `lookup` (the socket connects to them directly): check them here.
    if (ipaddr.isValid(host) && !allowed.has(host) && !isPublicAddress(host)) throw new BlockedAddressError();
    const response = await undiciFetch(url, {
      ...(init as Parameters<typeof undiciFetch>[1]),
      dispatcher: agent,
    });
    // undici's Response is the WHATWG Response global fetch returns; only the declared types differ.
    return response as unknown as Response;
  };
}

type AllCallback = (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void;

function bareHost(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}
