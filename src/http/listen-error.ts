import { StartupError } from '../contract/startup-error.js';

/**
 * A server that could not listen, as one line naming the setting to change; undefined for a failure
 * that is not about the address (left to surface as the bug it is).
 */
export function listenFailure(
  error: NodeJS.ErrnoException,
  host: string,
  port: number,
): StartupError | undefined {
  const where = `${host}:${port}`;
  switch (error.code) {
    case 'EADDRINUSE':
      return new StartupError(
        `cannot listen on ${where}: the port is in use (another process listens there); set PORT.`,
      );
    case 'EACCES':
      return new StartupError(
        `cannot listen on ${where}: not permitted (ports below 1024 need privileges); set PORT to 1024 or above.`,
      );
    case 'EADDRNOTAVAIL':
      return new StartupError(
        `cannot listen on ${where}: ${host} is not an address of this machine; set HOST.`,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new StartupError(`cannot listen on ${where}: the host name ${host} does not resolve; set HOST.`);
    default:
      return undefined;
  }
}
