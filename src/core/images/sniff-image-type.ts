export type ImageMediaType = 'image/png' | 'image/jpeg' | 'image/gif' | 'image/webp';

/** Bytes needed to recognise every supported format (WebP's marker ends at byte 12). */
export const SNIFF_BYTES = 12;

const ascii = (bytes: Uint8Array, start: number, text: string): boolean =>
  [...text].every((char, i) => bytes[start + i] === char.charCodeAt(0));

/**
 * The image format the bytes really are, among those Claude accepts. Clients mislabel images
 * (a JPEG sent as `image/png`, `image/jpg`); the Messages API rejects a media type that does not
 * match the data, so the bytes decide.
 */
export function sniffImageType(bytes: Uint8Array): ImageMediaType | undefined {
  if (bytes[0] === 0x89 && ascii(bytes, 1, 'PNG\r\n\x1a\n')) return 'image/png';
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (ascii(bytes, 0, 'GIF87a') || ascii(bytes, 0, 'GIF89a')) return 'image/gif';
  if (ascii(bytes, 0, 'RIFF') && ascii(bytes, 8, 'WEBP')) return 'image/webp';
  return undefined;
}

/** Sniffs base64 data without decoding all of it (16 base64 characters are 12 bytes). */
export function sniffBase64ImageType(base64: string): ImageMediaType | undefined {
  return sniffImageType(Buffer.from(base64.slice(0, (SNIFF_BYTES / 3) * 4), 'base64'));
}
