import type { MiddlewareHandler } from 'hono';
import { GatewayError } from '../contract/gateway-error.js';
import { isLoopbackHost } from './exposure.js';

export interface HostOriginGuardOptions {
  /**
   * True while the gateway takes requests without a key (no key exists, auth not disabled). Checked
   * per request: the first key created closes the gateway, and then keys protect it instead.
   */
  /** Async: whether keys exist may be a question to a shared database. */
  keyless: () => boolean | Promise<boolean>;
  /** CORS_ORIGINS: browser origins the operator trusts. */
  allowedOrigins: readonly string[];
}

/**
 * A keyless gateway on loopback trusts whoever can connect, which includes every web page the owner
 * opens: a page can POST to 127.0.0.1 (a "simple" request needs no preflight) or rebind its own DNS
 * name to 127.0.0.1 and read the answers. So while keyless, a request must name a loopback host
 * (DNS rebinding keeps the attacker's name in `Host`) and must not come from a foreign page
 * (`Origin` is set by browsers, never by API clients).
 */
export function hostOriginGuard(options: HostOriginGuardOptions): MiddlewareHandler {
  return async function hostOriginGuardMiddleware(c, next) {
    if (!(await options.keyless())) return next();
    // In-process requests (app.fetch) carry no Host header; their URL holds the host instead.
    const host = c.req.header('host') ?? new URL(c.req.url).host;
    if (!isLoopbackHost(hostName(host))) {
      throw forbidden(
        'host_not_allowed',
        'This gateway has no API keys, so it only answers requests addressed to a loopback name (localhost, 127.0.0.1, [::1]).',
      );
    }
    const origin = c.req.header('origin');
    if (origin !== undefined && !isOwnOrigin(origin, host) && !options.allowedOrigins.includes(origin)) {
      throw forbidden(
        'origin_not_allowed',
        'This gateway has no API keys, so it refuses requests from web pages; list trusted origins in CORS_ORIGINS or create an API key.',
      );
    }
    return next();
  };
}

/** `Host` without its port; IPv6 literals keep their brackets off. */
export function hostName(host: string): string {
  const bracketed = /^\[([^\]]*)\](?::\d*)?$/.exec(host);
  if (bracketed) return bracketed[1] ?? '';
  const colon = host.lastIndexOf(':');
  // More than one colon without brackets is not a valid Host; keep it whole so it fails the check.
  return colon !== -1 && host.indexOf(':') === colon ? host.slice(0, colon) : host;
}

/** The gateway's own pages (the API docs) send an `Origin` equal to the address they came from. */
function isOwnOrigin(origin: string, host: string): boolean {
  return origin === `http://${host}` || origin === `https://${host}`;
}

const forbidden = (code: string, message: string) =>
  new GatewayError({ kind: 'permission', status: 403, code, message });
