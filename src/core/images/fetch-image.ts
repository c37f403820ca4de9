import { type ImageMediaType, sniffImageType } from './sniff-image-type.js';
import { BlockedAddressError } from './ssrf-guard.js';

export interface FetchImageOptions {
  maxBytes: number;
  /** For the whole fetch: redirects, headers and body. */
  timeoutMs: number;
  maxRedirects: number;
  fetch?: typeof globalThis.fetch;
}

export interface FetchedImage {
  mediaType: ImageMediaType;
  data: Buffer;
}

export type ImageFetchFailure = 'too_large' | 'not_an_image' | 'unreachable';

export class ImageFetchError extends Error {
  readonly failure: ImageFetchFailure;

  constructor(failure: ImageFetchFailure, message: string) {
    super(message);
    this.name = 'ImageFetchError';
    this.failure = failure;
  }
}

const ACCEPTED_TYPES = new Set(['image/png', 'image/jpeg', 'image/jpg', 'image/gif', 'image/webp']);

/**
 * Downloads one image with the gateway's limits: http(s) only at every hop, a bounded number of
 * redirects, one deadline for everything, an image content type, and a byte cap that stops reading
 * as soon as it is passed. `signal` is the client's request: when it aborts, the abort propagates.
 */
export async function fetchImage(
  url: string,
  options: FetchImageOptions,
  signal: AbortSignal,
): Promise<FetchedImage> {
  const fetchFn = options.fetch ?? globalThis.fetch;
  const deadline = AbortSignal.timeout(options.timeoutMs);
  const fetchSignal = AbortSignal.any([signal, deadline]);
  let target = parseHttpUrl(url);
  try {
    for (let redirects = 0; ; redirects++) {
      const response = await fetchFn(target, {
        redirect: 'manual',
        signal: fetchSignal,
        headers: { accept: 'image/png,image/jpeg,image/gif,image/webp' },
      });
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location) {
        await response.body?.cancel();
        if (redirects >= options.maxRedirects) {
          throw new ImageFetchError('unreachable', `more than ${options.maxRedirects} redirects`);
        }
        target = parseHttpUrl(new URL(location, target).href);
        continue;
      }
      if (!response.ok) {
        await response.body?.cancel();
        throw new ImageFetchError('unreachable', `the server answered HTTP ${response.status}`);
      }
      const contentType = (response.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase();
      if (!contentType || !ACCEPTED_TYPES.has(contentType)) {
        await response.body?.cancel();
        throw new ImageFetchError('not_an_image', `the content type is '${contentType || 'missing'}'`);
      }
      const declaredLength = Number(response.headers.get('content-length') ?? Number.NaN);
      if (declaredLength > options.maxBytes) {
        await response.body?.cancel();
        throw tooLarge(declaredLength, options.maxBytes);
      }
      const data = await readCapped(response, options.maxBytes);
      const mediaType = sniffImageType(data);
      if (!mediaType)
        throw new ImageFetchError('not_an_image', 'the data is not a png, jpeg, gif or webp image');
      return { mediaType, data };
    }
  } catch (error) {
    if (error instanceof ImageFetchError || signal.aborted) throw error;
    if (refusedByGuard(error)) {
      throw new ImageFetchError('unreachable', new BlockedAddressError().message);
    }
    // One text for refused, reset, unresolvable and timed out: a caller must not learn which ports
    // answer on hosts it can reach through the gateway.
    throw new ImageFetchError('unreachable', 'the image could not be downloaded');
  }
}

function parseHttpUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ImageFetchError('unreachable', 'the URL is not valid');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ImageFetchError('unreachable', `only http and https URLs are fetched, not ${parsed.protocol}`);
  }
  return parsed;
}

async function readCapped(response: Response, maxBytes: number): Promise<Buffer> {
  if (!response.body) return Buffer.alloc(0);
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const part of response.body) {
    total += part.byteLength;
    // Leaving the loop cancels the body: nothing past the cap is downloaded.
    if (total > maxBytes) throw tooLarge(total, maxBytes);
    parts.push(part);
  }
  return Buffer.concat(parts);
}

function tooLarge(bytes: number, maxBytes: number): ImageFetchError {
  return new ImageFetchError('too_large', `the image is over ${maxBytes} bytes (at least ${bytes})`);
}

/** Whether the address guard refused `error` or one of its causes (fetch wraps connection errors). */
function refusedByGuard(error: unknown): boolean {
  let at: unknown = error;
  for (let depth = 0; at instanceof Error && depth < 5; depth++) {
    if (at.name === BLOCKED) return true;
    at = at.cause;
  }
  return false;
}

const BLOCKED = new BlockedAddressError().name;
