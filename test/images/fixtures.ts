/**
 * Tiny valid images (1x1 pixel) and a PDF, plus a local HTTP server that serves them the ways remote
 * image URLs misbehave in practice.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const IMAGES = {
  'image/png':
    'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==',
  'image/jpeg':
    '/9j/4AAQSkZJRgABAQEASABIAAD/2wBDAP//////////////////////////////////////////////////////////////////////////////////////wgALCAABAAEBAREA/8QAFBABAAAAAAAAAAAAAAAAAAAAAP/aAAgBAQABPxA=',
  'image/gif': 'R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7',
  'image/webp': 'UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==',
} as const;

export type ImageType = keyof typeof IMAGES;

export const dataUrl = (type: string, base64: string) => `data:${type};base64,${base64}`;

/** A one-page PDF with the text "Hello PDF". */
export const PDF_BASE64 = Buffer.from(
  [
    '%PDF-1.4',
    '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj',
    '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj',
    '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R >> endobj',
    '4 0 obj << /Length 37 >> stream',
    'BT /F1 12 Tf 10 50 Td (Hello PDF) Tj ET',
    'endstream endobj',
    'trailer << /Root 1 0 R >>',
    '%%EOF',
  ].join('\n'),
).toString('base64');

export interface ImageServer {
  /** e.g. http://127.0.0.1:PORT */
  origin: string;
  /** Requests per path. */
  hits: Map<string, number>;
  close(): Promise<void>;
}

type Route = (req: IncomingMessage, res: ServerResponse) => void;

/** Serves on 127.0.0.1 only; unknown paths get 404. Hanging responses end when the server closes. */
export async function startImageServer(maxBytesForBig: number): Promise<ImageServer> {
  const png = Buffer.from(IMAGES['image/png'], 'base64');
  const routes: Record<string, Route> = {
    '/pixel.png': (_req, res) => res.writeHead(200, { 'content-type': 'image/png' }).end(png),
    // Mislabelled on purpose: the bytes are a PNG.
    '/pixel-labelled-jpeg': (_req, res) => res.writeHead(200, { 'content-type': 'image/jpeg' }).end(png),
    '/redirect': (_req, res) => res.writeHead(302, { location: '/pixel.png' }).end(),
    '/loop': (_req, res) => res.writeHead(302, { location: '/loop' }).end(),
    // Absolute, to the loopback address: reached through an allowed name, the hop must still be checked.
    '/redirect-to-loopback': (req, res) =>
      res.writeHead(302, { location: `http://127.0.0.1:${req.socket.localPort}/pixel.png` }).end(),
    '/page.html': (_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<html></html>'),
    // No content-length: the cap must hold while reading the body.
    '/big.png': (_req, res) => {
      res.writeHead(200, { 'content-type': 'image/png' });
      res.write(png);
      res.end(Buffer.alloc(maxBytesForBig));
    },
    '/hang.png': () => undefined,
  };
  const hits = new Map<string, number>();
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    hits.set(path, (hits.get(path) ?? 0) + 1);
    const route = routes[path];
    if (route) route(req, res);
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
