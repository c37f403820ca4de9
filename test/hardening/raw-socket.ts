import { connect, type Socket } from 'node:net';

/** Opens a TCP connection to the gateway, for requests no HTTP client would send. */
export function openSocket(origin: string): Promise<Socket> {
  const url = new URL(origin);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) }, () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Everything the server sends until it closes the connection. */
export function readUntilClosed(socket: Socket): Promise<string> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
  });
}

/** Sends raw bytes and returns the status and body of the raw HTTP answer. */
export async function sendRaw(origin: string, bytes: string): Promise<{ status: number; body: string }> {
  const socket = await openSocket(origin);
  const answer = readUntilClosed(socket);
  socket.write(bytes);
  return parseAnswer(await answer);
}

export function parseAnswer(text: string): { status: number; body: string } {
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1] ?? 0);
  const split = text.indexOf('\r\n\r\n');
  return { status, body: split === -1 ? '' : text.slice(split + 4) };
}
