import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import { createInterface } from 'node:readline';

export interface Started {
  child: ChildProcess;
  /** What the process announced when it was ready (the mock's URL, the gateway's port). */
  announced: string;
  stop(): Promise<void>;
}

/** Starts a TypeScript entry point with tsx and waits for the line `ready` recognises. */
export async function startTs(
  entry: string,
  env: NodeJS.ProcessEnv,
  ready: (line: string) => string | undefined,
  timeoutMs = 30_000,
): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (data: Buffer) => {
    stderr = (stderr + data.toString()).slice(-4096);
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const announced = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${entry} did not start in time: ${stderr}`)), timeoutMs);
    lines.on('line', (line) => {
      const value = ready(line);
      if (value !== undefined) {
        clearTimeout(timer);
        resolve(value);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${entry} exited (${code}) before it was ready: ${stderr}`));
    });
  });
  return {
    child,
    announced,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

export interface GatewayProcess extends Started {
  url: string;
  dataDir: string;
}

/**
 * Starts gateways (`src/main.ts` under tsx) on loopback with a free port, no auth and
 * `maxConcurrency` runs at once unless `config` says otherwise; each gets its own data dir under
 * `scratch` unless `config` sets DATA_DIR.
 */
export function gatewayLauncher(
  baseEnv: NodeJS.ProcessEnv,
  scratch: string,
  maxConcurrency: number,
): (config: Record<string, string>) => Promise<GatewayProcess> {
  let count = 0;
  return async (config) => {
    const dataDir = config.DATA_DIR ?? path.join(scratch, `gateway-${++count}`);
    const started = await startTs(
      'src/main.ts',
      {
        ...baseEnv,
        DATA_DIR: dataDir,
        PORT: '0',
        HOST: '127.0.0.1',
        AUTH_DISABLED: 'true',
        LOG_LEVEL: 'info',
        MAX_CONCURRENCY: String(maxConcurrency),
        ...config,
      },
      (line) => /"port":(\d+).*claude-gateway listening/.exec(line)?.[1],
    );
    return { ...started, url: `http://127.0.0.1:${started.announced}`, dataDir };
  };
}

/** Runs a bench's main: exits 0 when it is done, or prints the error and exits 1. */
export function runBench(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(
        `bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
