/**
 * Attachments (images, documents) as Claude content blocks, checked the same way whichever wire they
 * came in on: size limit, media type read from the bytes, remote URLs only where allowed. Surfaces
 * unwrap their own envelope (an OpenAI data URL, an Anthropic `source` object) and call these with
 * the `param` naming the field in their own terms.
 */
import type { ClaudeContentBlock } from '../claude/run-plan.js';
import { sniffBase64ImageType } from '../images/sniff-image-type.js';
import { GatewayError } from './gateway-error.js';

export interface AttachmentLimits {
  /** Largest decoded attachment, in bytes (MAX_IMAGE_BYTES). */
  maxBytes: number;
  /** Whether http(s) image URLs are accepted (the gateway fetches them before the run). */
  remoteImages: boolean;
}

/** Decoded size of base64 text without decoding it (attachments can be megabytes). */
export function base64ByteLength(base64: string): number {
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return Math.floor((base64.length * 3) / 4) - padding;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function imageFromBase64(base64: string, param: string, limits: AttachmentLimits): ClaudeContentBlock {
  const data = base64.replace(/\s+/g, '');
  if (!BASE64.test(data)) throw invalid('The image data is not valid base64.', param, 'invalid_image');
  enforceSize(base64ByteLength(data), limits.maxBytes, param);
  // The bytes decide the media type: the Messages API rejects a declared one that does not match.
  const mediaType = sniffBase64ImageType(data);
  if (!mediaType)
    throw invalid('The image data is not a png, jpeg, gif or webp image.', param, 'invalid_image');
  return { type: 'image', source: { type: 'base64', media_type: mediaType, data } };
}

export function imageFromUrl(url: string, param: string, limits: AttachmentLimits): ClaudeContentBlock {
  if (!limits.remoteImages) {
    throw invalid(
      'Remote image URLs are disabled on this gateway; send the image inline as base64 data (a data URL).',
      param,
      'remote_images_disabled',
    );
  }
  if (!/^https?:\/\//i.test(url) || !URL.canParse(url)) {
    throw invalid('The image URL is not a valid http(s) URL.', param, 'invalid_image_url');
  }
  // Fetched by the gateway after planning (images/resolve-remote-images.ts).
  return { type: 'image', source: { type: 'url', url } };
}

export function pdfDocument(
  base64: string,
  param: string,
  limits: AttachmentLimits,
  title?: string,
): ClaudeContentBlock {
  const data = base64.replace(/\s+/g, '');
  if (!BASE64.test(data)) throw invalid('The document data is not valid base64.', param, 'invalid_file');
  enforceSize(base64ByteLength(data), limits.maxBytes, param);
  return {
    type: 'document',
    source: { type: 'base64', media_type: 'application/pdf', data },
    ...(title ? { title } : {}),
  };
}

export function textDocument(
  text: string,
  param: string,
  limits: AttachmentLimits,
  title?: string,
): ClaudeContentBlock {
  enforceSize(Buffer.byteLength(text), limits.maxBytes, param);
  return {
    type: 'document',
    source: { type: 'text', media_type: 'text/plain', data: text },
    ...(title ? { title } : {}),
  };
}

function enforceSize(byteLength: number, limit: number, param: string): void {
  if (byteLength > limit) {
    throw new GatewayError({
      kind: 'too_large',
      status: 413,
      param,
      code: 'content_too_large',
      message: `The attachment is ${byteLength} bytes; the limit is ${limit} bytes.`,
    });
  }
}

function invalid(message: string, param: string, code: string): GatewayError {
  return new GatewayError({ kind: 'invalid_request', status: 400, message, param, code });
}
