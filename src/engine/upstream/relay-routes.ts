import { randomBytes } from 'node:crypto';

/**
 * Which upstream each relay path prefix stands for. A prefix is an opaque random id (so no other
 * local process can use the relay for an upstream it was not told of), given once per upstream and
 * kept for the relay's life: a process's environment, which keys spares and hot processes, names
 * the same relay URL for the same upstream every time.
 */
export class RelayRoutes {
  readonly #idOf = new Map<string, string>();
  readonly #upstreamOf = new Map<string, URL>();

  /** The id for `upstream` (a base URL), registered on first use. */
  idFor(upstream: string): string {
    const base = normalized(upstream);
    let id = this.#idOf.get(base.href);
    if (id === undefined) {
      id = randomBytes(16).toString('hex');
      this.#idOf.set(base.href, id);
      this.#upstreamOf.set(id, base);
    }
    return id;
  }

  /**
   * The upstream URL a relay request target (`/<id>/v1/messages?beta=true`) stands for: the
   * upstream's base with the rest of the path and the query after it; undefined for an unknown id.
   */
  resolve(target: string): URL | undefined {
    const match = /^\/([0-9a-f]{32})(\/[^?]*)?(\?.*)?$/.exec(target);
    const base = match?.[1] === undefined ? undefined : this.#upstreamOf.get(match[1]);
    if (!match || !base) return undefined;
    const url = new URL(base.href);
    url.pathname = `${base.pathname.replace(/\/$/, '')}${match[2] ?? ''}` || '/';
    url.search = match[3] ?? '';
    return url;
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
