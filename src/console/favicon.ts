/**
 * The gateway's icon as an ICO file (browsers ask every origin for /favicon.ico): a 32 x 32 rounded
 * square in the console's accent colour with a white ring, drawn here so no binary file ships.
 */
export function faviconIco(): Buffer {
  const size = 32;
  const pixels = Buffer.alloc(size * size * 4);
  for (let row = 0; row < size; row++) {
    for (let column = 0; column < size; column++) {
      // BMP rows run bottom-up, pixels as BGRA.
      pixels.set(pixelAt(column + 0.5, size - row - 0.5, size), (row * size + column) * 4);
    }
  }
  const andMask = Buffer.alloc((size / 8) * size); // all zero: the alpha channel decides
  const header = Buffer.alloc(6 + 16 + 40);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2); // an icon
  header.writeUInt16LE(1, 4); // one image
  header.writeUInt8(size, 6);
  header.writeUInt8(size, 7);
  header.writeUInt16LE(1, 10); // colour planes
  header.writeUInt16LE(32, 12); // bits per pixel
  header.writeUInt32LE(40 + pixels.length + andMask.length, 14);
  header.writeUInt32LE(22, 18); // where the image starts
  header.writeUInt32LE(40, 22); // BITMAPINFOHEADER
  header.writeInt32LE(size, 26);
  header.writeInt32LE(size * 2, 30); // colour rows and mask rows
  header.writeUInt16LE(1, 34);
  header.writeUInt16LE(32, 36);
  return Buffer.concat([header, pixels, andMask]);
}

type Bgra = readonly [number, number, number, number];
const ACCENT: Bgra = [0xde, 0x6f, 0x2f, 0xff]; // #2f6fde
const WHITE: Bgra = [0xff, 0xff, 0xff, 0xff];
const CLEAR: Bgra = [0, 0, 0, 0];

/** The colour at (x, y), y measured from the top. */
function pixelAt(x: number, y: number, size: number): Bgra {
  const radius = size * 0.22;
  const nearX = Math.min(Math.max(x, radius), size - radius);
  const nearY = Math.min(Math.max(y, radius), size - radius);
  if (Math.hypot(x - nearX, y - nearY) > radius) return CLEAR;
  const fromCentre = Math.hypot(x - size / 2, y - size / 2);
  return fromCentre > size * 0.2 && fromCentre < size * 0.32 ? WHITE : ACCENT;
}
