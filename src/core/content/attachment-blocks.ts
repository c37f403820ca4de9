/**
 * Attachments in Claude's terms, for any surface: an image given as a URL (remote or a base64 data
 * URL), as raw base64 or as a remote URL, and a file given as a data URL, raw base64 (PDF) or text,
 * become Claude content blocks, or a neutral 4xx naming the field in the caller's own terms
 * (`param`). Surfaces unwrap their own envelope (an OpenAI data URL, an Anthropic `source` object);
 * the checks (size, media type from the bytes, remote URLs only where allowed) live here once.
 */

import { GatewayError } from '../../contract/gateway-error.js';
import type { ClaudeContentBlock } from '../../contract/run-plan.js';
import { sniffBase64ImageType } from '../images/sniff-image-type.js';
import { parseDataUrl } from './data-url.js';

export interface AttachmentLimits {
  /** Largest decoded attachment, in bytes. */
  maxBytes: number;
  /** Whether http(s) image URLs are accepted (the core fetches them before the run). */
  remoteImages: boolean;
}

const invalid = (message: string, param: string, code: string) =>
  new GatewayError({ kind: 'invalid_request', status: 400, message, param, code });

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** An image URL (http(s) or a base64 data URL) as a Claude image block. */
export function imageBlock(url: string, param: string, limits: AttachmentLimits): ClaudeContentBlock {
  if (/^https?:\/\//i.test(url)) return imageFromUrl(url, param, limits);
  const parsed = parseDataUrl(url);
  if (!parsed?.mediaType.startsWith('image/')) {
    throw invalid(
      'Images must be http(s) URLs or base64 data URLs of type png, jpeg, gif or webp.',
      param,
      'invalid_image_url',
    );
  }
  return imageFromBase64(parsed.base64, param, limits);
}

/** A remote http(s) image, kept as a URL source for the core to fetch (REMOTE_IMAGES). */
export function imageFromUrl(url: string, param: string, limits: AttachmentLimits): ClaudeContentBlock {
  if (!limits.remoteImages) {
    throw invalid(
      'Remote image URLs are disabled on this gateway; send the image inline as base64 data.',
      param,
      'remote_images_disabled',
    );
  }
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) {
    throw invalid('The image URL is not a valid URL.', param, 'invalid_image_url');
  }
  return { type: 'image', source: { type: 'url', url } };
}

/** Base64 image data (whatever media type the client declared) as a Claude image block. */
export function imageFromBase64(base64: string, param: string, limits: AttachmentLimits): ClaudeContentBlock {
  const data = base64.replace(/\s+/g, '');
  if (!BASE64.test(data)) throw invalid('The image data is not valid base64.', param, 'invalid_image');
  checkSize(base64ByteLength(data), limits.maxBytes, param);
  // The bytes decide the media type: the Messages API rejects one that does not match the data.
  const mediaType = sniffBase64ImageType(data);
  if (!mediaType) {
    throw invalid('The image data is not a png, jpeg, gif or webp image.', param, 'invalid_image');
  }
  return { type: 'image', source: { type: 'base64', media_type: mediaType, data } };
}

/** A PDF or plain-text data URL as a Claude document block. */
export function documentBlock(
  dataUrl: string | undefined,
  filename: string | undefined,
  param: string,
  limits: AttachmentLimits,
): ClaudeContentBlock {
  const parsed = dataUrl ? parseDataUrl(dataUrl) : undefined;
  if (!parsed || (parsed.mediaType !== 'application/pdf' && parsed.mediaType !== 'text/plain')) {
    throw invalid('Files must be sent as data URLs of a PDF or plain text.', param, 'invalid_file');
  }
  if (parsed.mediaType === 'application/pdf') return pdfDocument(parsed.base64, param, limits, filename);
  return textDocument(Buffer.from(parsed.base64, 'base64').toString('utf8'), param, limits, filename);
}

/** Base64 PDF data as a Claude document block. */
export function pdfDocument(
  base64: string,
  param: string,
  limits: AttachmentLimits,
  title?: string,
): ClaudeContentBlock {
  const data = base64.replace(/\s+/g, '');
  if (!BASE64.test(data)) throw invalid('The document data is not valid base64.', param, 'invalid_file');
  checkSize(base64ByteLength(data), limits.maxBytes, param);
  return {
    type: 'document',
    source: { type: 'base64', media_type: 'application/pdf', data },
    ...(title ? { title } : {}),
  };
}

/** Plain text as a Claude document block. */
export function textDocument(
  text: string,
  param: string,
  limits: AttachmentLimits,
  title?: string,
): ClaudeContentBlock {
  checkSize(Buffer.byteLength(text), limits.maxBytes, param);
  return {
    type: 'document',
    source: { type: 'text', media_type: 'text/plain', data: text },
    ...(title ? { title } : {}),
  };
}

/** Decoded size of base64 text without decoding it (attachments can be megabytes). */
function base64ByteLength(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.floor((base64.length * 3) / 4) - padding;
}

function checkSize(byteLength: number, limit: number, param: string): void {
  if (byteLength <= limit) return;
  throw new GatewayError({
    kind: 'too_large',
    status: 413,
    param,
    code: 'content_too_large',
    message: `The attachment is ${byteLength} bytes; the limit is ${limit} bytes.`,
  });
}
