/**
 * Attachments in Claude's terms, for any surface: an image given as a URL (remote or a base64 data
 * URL) and a file given as a data URL become Claude content blocks, or a neutral 4xx naming the
 * field in the caller's own terms (`param`). No wire format is known here.
 */
import type { ClaudeContentBlock } from '../claude/run-plan.js';
import { GatewayError } from '../core/gateway-error.js';
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

/** An image URL (http(s) or a base64 data URL) as a Claude image block. */
export function imageBlock(url: string, param: string, limits: AttachmentLimits): ClaudeContentBlock {
  if (/^https?:\/\//i.test(url)) {
    if (!limits.remoteImages) {
      throw invalid(
        'Remote image URLs are disabled on this gateway; send the image as a base64 data URL.',
        param,
        'remote_images_disabled',
      );
    }
    if (!URL.canParse(url)) throw invalid('The image URL is not a valid URL.', param, 'invalid_image_url');
    return { type: 'image', source: { type: 'url', url } };
  }
  const parsed = parseDataUrl(url);
  if (!parsed?.mediaType.startsWith('image/')) {
    throw invalid(
      'Images must be http(s) URLs or base64 data URLs of type png, jpeg, gif or webp.',
      param,
      'invalid_image_url',
    );
  }
  checkSize(parsed.byteLength, limits.maxBytes, param);
  // The bytes decide the media type: the Messages API rejects one that does not match the data.
  const mediaType = sniffBase64ImageType(parsed.base64);
  if (!mediaType)
    throw invalid('The image data is not a png, jpeg, gif or webp image.', param, 'invalid_image');
  return { type: 'image', source: { type: 'base64', media_type: mediaType, data: parsed.base64 } };
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
  checkSize(parsed.byteLength, limits.maxBytes, param);
  const title = filename ? { title: filename } : {};
  if (parsed.mediaType === 'application/pdf') {
    return {
      type: 'document',
      source: { type: 'base64', media_type: 'application/pdf', data: parsed.base64 },
      ...title,
    };
  }
  const text = Buffer.from(parsed.base64, 'base64').toString('utf8');
  return { type: 'document', source: { type: 'text', media_type: 'text/plain', data: text }, ...title };
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
