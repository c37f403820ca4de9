import { randomBytes } from 'node:crypto';

/** The outbound proxy a process would have used (its HTTP_PROXY, HTTPS_PROXY and NO_PROXY). */
export interface ProxySettings {
  httpProxy?: string;
  httpsProxy?: string;
  noProxy?: string;
}

/** Where a process's API requests go: its upstream (a base URL), reached as the process would have. */
export interface RelayTarget {
  upstream: string;
  proxy: ProxySettings;
}

/** A request target resolved: the upstream URL, and the proxy to reach it through. */
export interface ResolvedTarget {
  url: URL;
  proxy: ProxySettings;
}

/**
 * Which target each relay path prefix stands for. A prefix is an opaque random id (so no other local
 * process can use the relay for an upstream it was not told of), given once per target and kept for
 * the relay's life: a process's environment, which keys spares and hot processes, names the same
 * relay URL for the same target every time.
 */
export class RelayRoutes {
  readonly #idOf = new Map<string, string>();
  readonly #targetOf = new Map<string, { base: URL; proxy: ProxySettings }>();

  /** The id for `target`, registered on first use. */
  idFor(target: RelayTarget): string {
    const base = normalized(target.upstream);
    const proxy = definedOnly(target.proxy);
    const key = JSON.stringify([base.href, proxy.httpProxy, proxy.httpsProxy, proxy.noProxy]);
    let id = this.#idOf.get(key);
    if (id === undefined) {
      id = randomBytes(16).toString('hex');
      this.#idOf.set(key, id);
      this.#targetOf.set(id, { base, proxy });
    }
    return id;
  }

  /**
   * What a relay request target (`/<id>/v1/messages?beta=true`) stands for: the upstream's base with
   * the rest of the path and the query after it; undefined for an unknown id.
   */
  resolve(target: string): ResolvedTarget | undefined {
    const match = /^\/([0-9a-f]{32})(\/[^?]*)?(\?.*)?$/.exec(target);
    const route = match?.[1] === undefined ? undefined : this.#targetOf.get(match[1]);
    if (!match || !route) return undefined;
    const url = new URL(route.base.href);
    url.pathname = `${route.base.pathname.replace(/\/$/, '')}${match[2] ?? ''}` || '/';
    url.search = match[3] ?? '';
    return { url, proxy: route.proxy };
  }
}

/** A base URL as Claude Code would read it: no query or fragment, a path prefix kept. */
function normalized(upstream: string): URL {
  const url = new URL(upstream);
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error(`the upstream ${url.protocol}// is not HTTP`);
  }
  url.search = '';
  url.hash = '';
  return url;
}

function definedOnly(proxy: ProxySettings): ProxySettings {
  return Object.fromEntries(Object.entries(proxy).filter(([, value]) => Boolean(value)));
}
