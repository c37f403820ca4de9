import { describe, expect, it } from 'vitest';
import { sniffBase64ImageType, sniffImageType } from './sniff-image-type.js';

const bytes = (...parts: Array<string | number[]>) =>
  Buffer.concat(
    parts.map((part) => (typeof part === 'string' ? Buffer.from(part, 'latin1') : Buffer.from(part))),
  );

describe('sniffImageType', () => {
  it.each([
    ['image/png', bytes([0x89], 'PNG\r\n\x1a\n', [0, 0, 0, 13])],
    ['image/jpeg', bytes([0xff, 0xd8, 0xff, 0xe0])],
    ['image/gif', bytes('GIF87a', [1, 0])],
    ['image/gif', bytes('GIF89a', [1, 0])],
    ['image/webp', bytes('RIFF', [26, 0, 0, 0], 'WEBPVP8L')],
  ])('recognises %s', (type, data) => {
    expect(sniffImageType(data)).toBe(type);
    expect(sniffBase64ImageType(data.toString('base64'))).toBe(type);
  });

  it.each([
    ['text', bytes('hello world!')],
    ['a RIFF file that is no WebP', bytes('RIFF', [26, 0, 0, 0], 'WAVEfmt ')],
    ['an SVG', bytes('<svg xmlns="http://www.w3.org/2000/svg"/>')],
    ['nothing', bytes()],
  ])('rejects %s', (_, data) => {
    expect(sniffImageType(data)).toBeUndefined();
  });
});
