/** Base64 `data:` URLs, as every surface receives attachments (neutral: no wire format here). */
export interface ParsedDataUrl {
  mediaType: string;
  base64: string;
  byteLength: number;
}

const DATA_URL = /^data:([a-z0-9.+-]+\/[a-z0-9.+-]+)(?:;[a-z0-9-]+=[^;,]*)*;base64,/i;

/** Parses a base64 `data:` URL without decoding it (images can be megabytes). */
export function parseDataUrl(url: string): ParsedDataUrl | undefined {
  const match = DATA_URL.exec(url);
  if (!match?.[1]) return undefined;
  const base64 = url.slice(match[0].length).replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) return undefined;
  const padding = base64.endsWith('==') ? 2 : base64.endsWith('=') ? 1 : 0;
  return {
    mediaType: match[1].toLowerCase(),
    base64,
    byteLength: Math.floor((base64.length * 3) / 4) - padding,
  };
}
